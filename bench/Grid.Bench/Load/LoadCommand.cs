using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Bench.Load;

/// <summary>
/// The <c>load</c> command: an open loop of streamed /v1/completions against a running silo at a fixed request rate,
/// so the admin dashboard has something to show. Prints one line a second (sent, done, errors, in flight, output tok/s)
/// and a summary at the end. Ctrl+C stops sending and lets what is in flight finish; a second Ctrl+C hangs up on it.
/// </summary>
public static class LoadCommand
{
    /// <summary>From the command line: the first Ctrl+C stops sending, a second hangs up on what is in flight.</summary>
    public static async Task<int> RunInConsole(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            if (stop.IsCancellationRequested) abandon.Cancel();
            else stop.Cancel();
        };
        return await Run(args, Console.Out, stop.Token, abandon.Token);
    }

    public static async Task<int> Run(string[] args, TextWriter output, CancellationToken stop = default, CancellationToken abandon = default)
    {
        LoadOptions o;
        try
        {
            o = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(LoadOptions.Usage);
            return 2;
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency + 4 })
        {
            BaseAddress = o.Url, Timeout = Timeout.InfiniteTimeSpan,
        };
        if (o.ApiKey is { Length: > 0 } key) http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        string model;
        try
        {
            model = o.Model ?? await FirstModel(http, stop);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"error: cannot list the models at {o.Url}: {e.Message}");
            return 1;
        }

        var duration = o.Duration == TimeSpan.Zero ? "until Ctrl+C" : $"for {o.Duration.TotalSeconds:0.#} s";
        await output.WriteLineAsync($"load: {o.Rate:0.##} req/s {duration} at {o.Url} ('{model}', {o.MaxTokens} tokens each, at most {o.Concurrency} in flight)");
        var stats = new LoadStats();
        var prompts = new LoadPrompts(o.Seed);
        using var slots = new SemaphoreSlim(o.Concurrency);
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(abandon);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>();

        using var reporter = new CancellationTokenSource();
        var report = Report(output, stats, clock, reporter.Token);
        try
        {
            for (var n = 0L; o.Duration == TimeSpan.Zero || clock.Elapsed < o.Duration; n++)
            {
                // Arrival n is due at n / rate seconds; a late start catches up rather than drifting.
                var due = TimeSpan.FromSeconds(n / o.Rate);
                if (o.Duration != TimeSpan.Zero && due >= o.Duration) break;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, stop);
                await slots.WaitAsync(stop);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(Send(http, model, prompts.Next(), o.MaxTokens, stats, slots, hangUp.Token));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await output.WriteLineAsync("stopping: letting the requests in flight finish (Ctrl+C again hangs up)");
        }

        await Task.WhenAll(inFlight);
        await reporter.CancelAsync();
        await report;
        var s = stats.Snapshot();
        var seconds = clock.Elapsed.TotalSeconds;
        await output.WriteLineAsync($"done: {s.Sent} sent, {s.Done} done, {s.Errors} errors in {seconds:F1} s; {s.Tokens / seconds:F1} output tok/s on average; "
            + $"TTFT p50 {Ms(stats.TtftPercentile(50))} p90 {Ms(stats.TtftPercentile(90))}");
        foreach (var (error, count) in stats.ErrorKinds().Take(5)) await output.WriteLineAsync($"  {count} x {error}");
        return s.Errors == 0 ? 0 : 1;
    }

    private static string Ms(double? seconds) => seconds is { } s ? $"{s * 1000:F0} ms" : "-";

    private static async Task Report(TextWriter output, LoadStats stats, Stopwatch clock, CancellationToken token)
    {
        var last = stats.Snapshot();
        var lastAt = clock.Elapsed;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(token)) Line();
        }
        catch (OperationCanceledException)
        {
            Line();
        }

        void Line()
        {
            var now = stats.Snapshot();
            var at = clock.Elapsed;
            var rate = (now.Tokens - last.Tokens) / Math.Max(1e-3, (at - lastAt).TotalSeconds);
            output.WriteLine($"{at.TotalSeconds,6:F0}s  sent {now.Sent,6}  done {now.Done,6}  errors {now.Errors,4}  in flight {now.Sent - now.Done - now.Errors,4}  tok/s {rate,8:F1}");
            (last, lastAt) = (now, at);
        }
    }

    private static async Task<string> FirstModel(HttpClient http, CancellationToken token)
    {
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/models", token);
        return list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).FirstOrDefault(id => id is not null)
            ?? throw new InvalidDataException("the server lists no model");
    }

    private static async Task Send(HttpClient http, string model, string prompt, int maxTokens, LoadStats stats, SemaphoreSlim slots, CancellationToken hangUp)
    {
        stats.Sent();
        var started = Stopwatch.GetTimestamp();
        var counted = 0;
        try
        {
            var body = new
            {
                model, prompt, max_tokens = maxTokens, temperature = 0.8, ignore_eos = true, stream = true,
                stream_options = new { include_usage = true },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, hangUp);
            if (!response.IsSuccessStatusCode)
            {
                stats.Failed($"HTTP {(int)response.StatusCode}: {Truncate(await response.Content.ReadAsStringAsync(hangUp))}");
                return;
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(hangUp));
            int? completionTokens = null;
            string? error = null;
            while (await reader.ReadLineAsync(hangUp) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
                using var chunk = JsonDocument.Parse(line.AsMemory(6));
                var root = chunk.RootElement;
                if (root.TryGetProperty("error", out var e)) error = e.TryGetProperty("message", out var m) ? m.GetString() : e.ToString();
                if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                    && choices[0].TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 })
                {
                    if (counted++ == 0) stats.FirstToken(Stopwatch.GetElapsedTime(started).TotalSeconds);
                    stats.Tokens(1);
                }
                if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object) completionTokens = u.GetProperty("completion_tokens").GetInt32();
            }
            // A chunk can carry more than one token: the usage line settles the count.
            if (completionTokens is { } total && total > counted) stats.Tokens(total - counted);
            if (error is not null) stats.Failed(Truncate(error));
            else stats.Done();
        }
        catch (OperationCanceledException) when (hangUp.IsCancellationRequested)
        {
            stats.Failed("hung up at the end");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            stats.Failed(Truncate(e.Message));
        }
        finally
        {
            slots.Release();
        }
    }

    private static string Truncate(string s) => s.Length <= 160 ? s : s[..160] + "...";
}
