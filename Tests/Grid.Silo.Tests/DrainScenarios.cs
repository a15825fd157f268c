using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Grid.Silo.Tests;

/// <summary>
/// SIGTERM to one of two real silo processes while 16 API streams run, over whatever clustering the caller starts
/// (<see cref="ITestClustering"/>: redis-server here, Azurite elsewhere). The devices run the Sim backend slowed down
/// (deterministic tokens, generation slow enough to be mid-stream at the signal) with least-loaded placement, which
/// spreads the streams over both GPUs.
/// </summary>
public static partial class DrainScenarios
{
    public const string Model = "stories260K";
    private const int Streams = 16;
    // The grace period the host adds its shutdown margin to (SiloDrain.ShutdownMargin); the exit must come within both.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StreamDeadline = TimeSpan.FromSeconds(180);

    /// <summary>The reference model's GGUF file, or null (the caller skips) when the reference models are not here.</summary>
    public static string? ModelFile()
    {
        var gguf = Path.Combine(GenerateCommandTests.StoriesDirForTests() ?? "", "stories260K-f32.gguf");
        return File.Exists(gguf) ? gguf : null;
    }

    /// <summary>
    /// A 30 s grace covers the streams: half of them are served by silo a's API, half by b's, and b's GPU runs at half
    /// a's pace, so streams served by a but generated on b outlast a's own GPU work. After SIGTERM (sent twice) a is not
    /// ready, refuses new calls with a 503 error, serves every stream it has to its end, then exits with code 0.
    /// </summary>
    public static async Task Sixteen_streams_finish_through_a_sigterm(ITestClustering clustering, string gguf, ITestOutputHelper output)
    {
        const int maxTokens = 240;
        var grace = TimeSpan.FromSeconds(30);
        using var a = Silo(clustering, gguf, "a", grace, timeScale: 500);
        using var b = Silo(clustering, gguf, "b", grace, timeScale: 1000);
        using var httpA = Client(a);
        using var httpB = Client(b);
        string Tails() => $"{a.Tail()}\n{b.Tail()}\n{clustering.Tail()}";
        try
        {
            await BothServing(a, b, httpB, Tails);
            var (streams, chunks) = StartStreams(i => i % 2 == 0 ? (httpA, "a") : (httpB, "b"), maxTokens);
            await MidStream(chunks, Tails);
            output.WriteLine($"before SIGTERM: {await Placement(httpB)}");

            var clock = Stopwatch.StartNew();
            a.Terminate();
            await Loopback.WaitFor(async () => await Status(httpA, "/health/ready") == HttpStatusCode.ServiceUnavailable,
                "the draining silo a to answer /health/ready with 503", TimeSpan.FromSeconds(20), Tails);
            var notReadyAt = clock.Elapsed;
            var refused = await httpA.PostAsJsonAsync("/v1/completions", new { model = Model, prompt = "Once", max_tokens = 4 });
            var refusal = await refused.Content.ReadFromJsonAsync<JsonElement>();
            // A second SIGTERM (an impatient operator, a second Ctrl-C) must not cut the drain short.
            a.Terminate();
            (await Status(httpB, "/health/ready")).Should().Be(HttpStatusCode.OK, "the other silo stays ready");

            var results = await AllEnded(streams, Tails);
            var exited = await a.WaitForExit(grace + Margin);
            var exitAt = clock.Elapsed;
            var log = a.Output();
            output.WriteLine($"SIGTERM -> /health/ready 503 after {notReadyAt.TotalSeconds:0.00} s; -> exit after {exitAt.TotalSeconds:0.00} s (code {a.ExitCode})");
            output.WriteLine(string.Join('\n', DrainLines(log)));
            output.WriteLine(Outcomes(results));
            output.WriteLine($"stream reopens: {Reopens(a)} on a, {Reopens(b)} on b");

            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "a draining silo takes no new calls");
            refusal.GetProperty("error").GetProperty("code").GetString().Should().Be("silo_draining", "the refusal has OpenAI's error shape: {0}", refusal);
            AllCompleted(results, maxTokens);
            exited.Should().BeTrue($"silo a exits within its grace period and the shutdown margin\n{Tails()}");
            a.ExitCode.Should().Be(0);
            log.Should().Contain("drain 3/5: every request on this silo's GPUs and every API stream served here finished");
            log.Should().Contain("waiting for the API stream", "streams served by a whose requests ran on b's slower GPU outlast a's GPU work, and a waits for them");
            b.HasExited.Should().BeFalse();
        }
        catch (Exception e) when (e is not Xunit.SkipException)
        {
            output.WriteLine(Tails());
            throw;
        }
    }

    /// <summary>
    /// A 1 s grace against long generations, all served by b's API: when it is over, what still runs on a's GPU is handed
    /// over to b's, and every stream ends with all its tokens, the same text as the others (greedy); a exits with code 0.
    /// </summary>
    public static async Task After_a_short_grace_the_rest_moves_to_the_other_silo(ITestClustering clustering, string gguf, ITestOutputHelper output)
    {
        const int maxTokens = 400;
        var grace = TimeSpan.FromSeconds(1);
        using var a = Silo(clustering, gguf, "a", grace, timeScale: 500);
        using var b = Silo(clustering, gguf, "b", grace, timeScale: 500);
        using var httpB = Client(b);
        string Tails() => $"{a.Tail()}\n{b.Tail()}\n{clustering.Tail()}";
        try
        {
            await BothServing(a, b, httpB, Tails);
            var (streams, chunks) = StartStreams(_ => (httpB, "b"), maxTokens);
            await MidStream(chunks, Tails);
            output.WriteLine($"before SIGTERM: {await Placement(httpB)}");

            var clock = Stopwatch.StartNew();
            a.Terminate();
            var exited = await a.WaitForExit(grace + Margin);
            var exitAt = clock.Elapsed;
            var results = await AllEnded(streams, Tails);
            var endAt = clock.Elapsed;
            var log = a.Output();
            output.WriteLine($"SIGTERM -> exit after {exitAt.TotalSeconds:0.00} s (code {a.ExitCode}); the last stream ended {endAt.TotalSeconds:0.00} s after SIGTERM");
            output.WriteLine(string.Join('\n', DrainLines(log)));
            output.WriteLine(Outcomes(results));
            output.WriteLine($"stream reopens on b: {Reopens(b)}");

            exited.Should().BeTrue($"silo a exits within its grace period and the shutdown margin\n{Tails()}");
            a.ExitCode.Should().Be(0);
            AllCompleted(results, maxTokens);
            var handover = HandOverLine().Match(log);
            handover.Success.Should().BeTrue("silo a hands over what still runs when the grace period is over");
            int.Parse(handover.Groups["moved"].Value, CultureInfo.InvariantCulture).Should().BeGreaterThan(0, "some streams ran on a's GPU: {0}", handover.Value);
            handover.Groups["aborted"].Value.Should().Be("0");
        }
        catch (Exception e) when (e is not Xunit.SkipException)
        {
            output.WriteLine(Tails());
            throw;
        }
    }

    private static GridProcess Silo(ITestClustering clustering, string gguf, string node, TimeSpan grace, int timeScale) =>
        GridProcess.Start(node,
        [
            .. clustering.SiloArgs, "--cluster-id", "drain-test", "--model", gguf, "--model-id", Model,
            "--backend", "Sim", "--sim-time-scale", timeScale.ToString(CultureInfo.InvariantCulture), "--placement", "LeastLoaded",
            "--drain-grace", grace.ToString("c", CultureInfo.InvariantCulture),
        ]);

    private static HttpClient Client(GridProcess silo) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}"), Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Both silos ready, and both GPUs reporting to the cluster view (so placement can choose either).</summary>
    private static async Task BothServing(GridProcess a, GridProcess b, HttpClient http, Func<string> tails)
    {
        await Task.WhenAll(a.Ready(Startup), b.Ready(Startup));
        await Loopback.WaitFor(async () =>
        {
            try
            {
                var cluster = await http.GetFromJsonAsync<JsonElement>("/admin/api/cluster");
                var gpus = cluster.GetProperty("gpus").EnumerateArray().Select(g => g.GetProperty("key").GetString()).Order().ToArray();
                return gpus.SequenceEqual(["a/0", "b/0"]);
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "both GPU grains to report to the cluster view", Startup, tails);
    }

    private static (Task<StreamedCompletion>[] Streams, StrongBox<int>[] Chunks) StartStreams(Func<int, (HttpClient Http, string Silo)> via, int maxTokens)
    {
        var chunks = Enumerable.Range(0, Streams).Select(_ => new StrongBox<int>()).ToArray();
        var streams = Enumerable.Range(0, Streams).Select(i =>
        {
            var (http, silo) = via(i);
            return StreamedCompletion.Read(http, silo, StreamedCompletion.Body(Model, maxTokens), chunks[i], CancellationToken.None);
        }).ToArray();
        return (streams, chunks);
    }

    /// <summary>Waits until every stream has had a few chunks: all are generating when the signal comes.</summary>
    private static Task MidStream(StrongBox<int>[] chunks, Func<string> tails) =>
        Loopback.WaitFor(() => Task.FromResult(chunks.All(c => Volatile.Read(ref c.Value) >= 3)), $"all {Streams} streams to be generating",
            TimeSpan.FromSeconds(60), tails);

    private static async Task<StreamedCompletion[]> AllEnded(Task<StreamedCompletion>[] streams, Func<string> tails)
    {
        try
        {
            return await Task.WhenAll(streams).WaitAsync(StreamDeadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{streams.Count(s => !s.IsCompleted)} of {Streams} streams still ran after {StreamDeadline.TotalSeconds:0} s\n{tails()}");
        }
    }

    /// <summary>None failed: each ended by length with all its tokens, and all have the same (greedy) text.</summary>
    private static void AllCompleted(StreamedCompletion[] results, int maxTokens)
    {
        results.Should().AllSatisfy(r =>
        {
            r.Error.Should().BeNull("no stream fails (one served by {0})", r.Silo);
            r.Finish.Should().Be("length");
            r.CompletionTokens.Should().Be(maxTokens);
        });
        results.Select(r => r.Text).Distinct().Should().ContainSingle("greedy streams of one prompt give the same text wherever they ran");
    }

    private static string Outcomes(StreamedCompletion[] results) =>
        $"{results.Count(r => r.Error is null && r.Finish == "length")} of {results.Length} streams completed; " +
        string.Join(", ", results.GroupBy(r => (r.Silo, r.Finish, r.CompletionTokens, Failed: r.Error is not null))
            .Select(g => $"{g.Count()} via {g.Key.Silo}: {g.Key.Finish ?? "no finish"}/{g.Key.CompletionTokens?.ToString(CultureInfo.InvariantCulture) ?? "?"} tokens{(g.Key.Failed ? " FAILED " + g.First().Error : "")}"));

    /// <summary>Which GPU the cluster view saw each running request on, once it lists them all (its reports come about once a second).</summary>
    private static async Task<string> Placement(HttpClient http)
    {
        JsonElement[] requests = [];
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        do
        {
            var cluster = await http.GetFromJsonAsync<JsonElement>("/admin/api/cluster");
            requests = [.. cluster.GetProperty("requests").EnumerateArray()];
            if (requests.Length >= Streams) break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < until);
        var byGpu = requests.GroupBy(r => r.GetProperty("gpu").GetString());
        return string.Join(", ", byGpu.OrderBy(g => g.Key).Select(g => $"{g.Count()} request(s) on {g.Key}"));
    }

    /// <summary>How often a silo's API reopened a request's stream (its grain moved or its silo went).</summary>
    private static int Reopens(GridProcess silo) => Regex.Count(silo.Output(), "stream broke at offset");

    private static async Task<HttpStatusCode?> Status(HttpClient http, string path)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            return (await http.GetAsync(path, timeout.Token)).StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static IEnumerable<string> DrainLines(string log) => log.Split('\n').Where(l => l.Contains("drain", StringComparison.Ordinal)).Select(l => l.TrimEnd());

    [GeneratedRegex(@"drain 4/5: (?<moved>\d+) request\(s\) handed over to other GPUs, (?<ended>\d+) ended meanwhile, (?<aborted>\d+) aborted")]
    private static partial Regex HandOverLine();
}
