using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace Grid.Silo.Tests;

/// <summary>
/// Two real silo processes on loopback, clustered through the store the caller started (Redis, Azurite). Their
/// devices run the Sim backend slowed down (deterministic tokens, a pace a kill can land in: the CPU backend finishes
/// this tiny model's tokens faster than a kill). Orleans clients each know one silo's gateway: through either one,
/// requests run on the other silo's GPU; then the silo running a stream is SIGKILLed and the stream completes.
/// </summary>
public static class TwoSiloScenario
{
    private const string Model = "stories260K";
    private const int MaxTokens = 240;
    // About 15 ms a step here: a 240-token request takes seconds, enough to be surely mid-generation at the kill.
    private const double SimTimeScale = 500;
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);

    /// <summary>The reference model, or a skip saying where it is looked for.</summary>
    public static (string Gguf, int[] Prompt) ModelOrSkip()
    {
        var dir = GenerateCommandTests.StoriesDirForTests();
        var gguf = Path.Combine(dir ?? "", "stories260K-f32.gguf");
        Skip.IfNot(File.Exists(gguf), "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        return (gguf, GreedyPrompt(Path.Combine(dir!, "reference.json")));
    }

    /// <param name="clustering">The switches that cluster the two silos through the caller's store.</param>
    public static async Task Run(ITestOutputHelper output, string clusterId, string[] clustering, Func<string> storeTail)
    {
        var (gguf, prompt) = ModelOrSkip();
        string[] common =
        [
            .. clustering, "--cluster-id", clusterId, "--model", gguf, "--model-id", Model,
            "--backend", "Sim", "--sim-time-scale", SimTimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        using var a = GridProcess.Start("a", common);
        using var b = GridProcess.Start("b", common);
        string Tails() => $"{a.Tail()}\n{b.Tail()}\n{storeTail()}";
        try
        {
            await Task.WhenAll(a.Ready(Startup), b.Ready(Startup));
            using var clientHost = await Client(b.GatewayPort, clusterId);
            var client = clientHost.Services.GetRequiredService<IClusterClient>();
            await Loopback.WaitFor(async () => (await client.GetGrain<IModelRegistryGrain>(Model).List()).Order().SequenceEqual(["a/0", "b/0"]),
                "both silos' GPU grains to join the model registry", Startup, Tails);

            // Undisturbed runs, several at once so least-loaded placement spreads them over both GPUs.
            var spread = await BatchWithOneOn(client, "a/0", "spread", prompt);
            var runs = await Task.WhenAll(spread.Select(g => ReadToEnd(g, [], TimeSpan.FromSeconds(120))));
            var gpus = await Task.WhenAll(spread.Select(async g => (await g.Status()).Gpu));
            output.WriteLine($"undisturbed requests through b's gateway ran on: {string.Join(", ", gpus)}");
            gpus.Should().Contain("a/0", "a request through the second silo's gateway runs on the first silo's GPU grain");
            var undisturbed = runs[0].Tokens;
            undisturbed.Should().HaveCount(MaxTokens);
            runs.Should().AllSatisfy(r => r.Tokens.Should().Equal(undisturbed, "greedy tokens do not depend on the GPU that made them"));

            // And the other way: through a's gateway, a request on b's GPU.
            using (var otherHost = await Client(a.GatewayPort, clusterId))
            {
                var other = otherHost.Services.GetRequiredService<IClusterClient>();
                var back = await BatchWithOneOn(other, "b/0", "back", prompt);
                var onB = (await FirstOn(back, "b/0"))!;
                (await ReadToEnd(onB, [], TimeSpan.FromSeconds(120))).Tokens.Should().Equal(undisturbed, "a request through the first silo's gateway runs on the second silo's GPU");
                await Task.WhenAll(back.Select(g => ReadToEnd(g, [], TimeSpan.FromSeconds(120))));
            }

            // Through the HTTP API as well: completions sent to one silo's API run on the other's GPU.
            output.WriteLine(await HttpRunsOn(b, "a/0"));
            output.WriteLine(await HttpRunsOn(a, "b/0"));

            var victims = await BatchWithOneOn(client, "a/0", "victim", prompt);
            var victim = (await FirstOn(victims, "a/0"))!;
            var tokens = new List<int>();
            await ReadUntil(victim, tokens, 5);
            var before = await victim.Status();
            before.Phase.Should().Be(RequestPhase.Running, "the kill must land mid-generation");
            before.Gpu.Should().Be("a/0");

            var clock = Stopwatch.StartNew();
            a.Kill();
            var killedAt = tokens.Count;
            // Chunks already generated before the kill may still come at once: the stall is the longest gap between chunks.
            var arrivals = new List<(TimeSpan At, int End)> { (TimeSpan.Zero, killedAt) };
            var (_, last, reopens) = await ReadToEnd(victim, tokens, TimeSpan.FromSeconds(120), c => arrivals.Add((clock.Elapsed, c.Offset + c.Tokens.Length)));
            var stall = arrivals.Zip(arrivals.Skip(1), (x, y) => (Gap: y.At - x.At, From: x.End)).MaxBy(g => g.Gap);
            var after = await victim.Status();
            output.WriteLine($"SIGKILL of silo a after {killedAt} tokens read ({before.GeneratedTokens} generated); the longest pause in the stream " +
                $"was {stall.Gap.TotalSeconds:0.00} s, after token {stall.From}; the stream finished {clock.Elapsed.TotalSeconds:0.00} s after the kill " +
                $"in {arrivals.Count - 1} chunks, {reopens} reopen(s); admissions {after.Admissions}, now on {after.Gpu}");

            output.WriteLine($"the stream ended {last.Finish} ({last.Error}) after {tokens.Count} tokens");
            tokens.Should().Equal(undisturbed, "the stream continues through the survivor with the same tokens, none lost or repeated");
            last.Finish.Should().Be(GenerationFinish.Length, last.Error);
            after.Gpu.Should().Be("b/0");
            after.Admissions.Should().BeGreaterThan(1, "the request was re-admitted after its GPU's silo died");
            b.HasExited.Should().BeFalse();
        }
        catch (Exception e) when (e is not SkipException)
        {
            output.WriteLine(Tails());
            throw;
        }
    }

    private static async Task<IHost> Client(int gatewayPort, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c =>
        {
            c.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            c.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "grid";
            });
            // A call in flight to a killed silo is not failed early: it waits this long.
            c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<IRequestGrain> Submitted(IClusterClient client, string id, int[] prompt)
    {
        var grain = client.GetGrain<IRequestGrain>(id);
        await grain.Submit(new GenerationRequest(Model, prompt, new GenerationOptions { Temperature = 0, MaxTokens = MaxTokens, IgnoreEos = true }));
        return grain;
    }

    /// <summary>
    /// Sends greedy completions four at a time to the silo's API until the cluster view (GET /admin/api/cluster, open
    /// without an admin key) shows one of them on the GPU; all of a batch must succeed with the same text.
    /// </summary>
    private static async Task<string> HttpRunsOn(GridProcess through, string gpu)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{through.HttpPort}"), Timeout = TimeSpan.FromSeconds(120) };
        for (var round = 0; round < 5; round++)
        {
            var calls = Enumerable.Range(0, 4).Select(_ => http.PostAsJsonAsync("/v1/completions",
                new { model = Model, prompt = "Once upon a time", max_tokens = MaxTokens, temperature = 0, ignore_eos = true })).ToArray();
            var seen = new HashSet<string>();
            while (!calls.All(c => c.IsCompleted))
            {
                var view = await http.GetFromJsonAsync<JsonElement>("/admin/api/cluster");
                foreach (var r in view.GetProperty("requests").EnumerateArray()) seen.Add(r.GetProperty("gpu").GetString()!);
                await Task.Delay(100);
            }
            var replies = await Task.WhenAll(calls);
            replies.Should().AllSatisfy(r => r.StatusCode.Should().Be(HttpStatusCode.OK));
            var texts = await Task.WhenAll(replies.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("text").GetString()));
            texts.Should().AllBe(texts[0], "greedy text does not depend on the GPU that made it");
            if (seen.Contains(gpu)) return $"HTTP completions through {through.Node}'s API ran on: {string.Join(", ", seen.Order())} (round {round + 1})";
        }
        throw new InvalidOperationException($"in 5 batches of 4 completions through {through.Node}'s API none showed on {gpu}");
    }

    /// <summary>Submits requests four at a time until a batch has one on the GPU; least-loaded placement spreads a batch.</summary>
    private static async Task<IRequestGrain[]> BatchWithOneOn(IClusterClient client, string gpu, string prefix, int[] prompt)
    {
        for (var round = 0; round < 5; round++)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Submitted(client, $"{prefix}-{round}-{i}", prompt)));
            if (await FirstOn(batch, gpu) is not null) return batch;
        }
        throw new InvalidOperationException($"in 5 batches of 4 requests none ran on {gpu}");
    }

    private static async Task<IRequestGrain?> FirstOn(IEnumerable<IRequestGrain> grains, string gpu)
    {
        foreach (var grain in grains)
            if ((await grain.Status()).Gpu == gpu)
                return grain;
        return null;
    }

    private static async Task ReadUntil(IRequestGrain grain, List<int> tokens, int count)
    {
        await foreach (var chunk in grain.Stream(0))
        {
            tokens.AddRange(chunk.Tokens);
            if (tokens.Count >= count || chunk.Finish is not null) break;
        }
    }

    /// <summary>
    /// Reads on from <paramref name="tokens"/>' end to the finish, reopening the stream from the last offset when it
    /// breaks or goes quiet (a call to a killed silo is answered only by the response timeout).
    /// </summary>
    private static async Task<(List<int> Tokens, TokenChunk Last, int Reopens)> ReadToEnd(
        IRequestGrain grain, List<int> tokens, TimeSpan deadline, Action<TokenChunk>? onChunk = null)
    {
        var quiet = TimeSpan.FromSeconds(5);
        using var overall = new CancellationTokenSource(deadline);
        TokenChunk? last = null;
        var reopens = -1;
        Exception? broke = null;
        while (last?.Finish is null)
        {
            if (overall.IsCancellationRequested) throw new TimeoutException($"the stream stopped at {tokens.Count} tokens after {reopens} reopens", broke);
            reopens++;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            idle.CancelAfter(quiet);
            try
            {
                await foreach (var chunk in grain.Stream(tokens.Count, idle.Token).WithCancellation(idle.Token))
                {
                    chunk.Offset.Should().Be(tokens.Count, "chunks follow each other without gaps or repeats");
                    tokens.AddRange(chunk.Tokens);
                    last = chunk;
                    onChunk?.Invoke(chunk);
                    idle.CancelAfter(quiet);
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                broke = e;
                // The stream's grain or silo went away, or it went quiet: ask again from where we are, after a breath.
                await Task.Delay(100, CancellationToken.None);
            }
        }
        return (tokens, last, reopens);
    }

    /// <summary>The first greedy reference prompt's tokens.</summary>
    internal static int[] GreedyPrompt(string referenceJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(referenceJson));
        return doc.RootElement.EnumerateArray()
            .First(r => r.GetProperty("temperature").GetSingle() == 0)
            .GetProperty("prompt_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
    }
}
