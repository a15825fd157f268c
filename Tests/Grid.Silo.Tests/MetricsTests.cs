using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Grid.Silo.Hosting;

namespace Grid.Silo.Tests;

/// <summary>The silo's /metrics: the named series are there, and they move as requests run.</summary>
public sealed class MetricsTests
{
    private static string StoriesPath()
    {
        var path = Path.Combine(GenerateCommandTests.StoriesDirForTests() ?? "", "stories260K.bin");
        Skip.IfNot(File.Exists(path), "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        return path;
    }

    [SkippableFact]
    public async Task Metrics_show_the_named_series_and_move_as_requests_run()
    {
        var node = $"metrics-{Guid.NewGuid():N}"[..16];
        var (app, http) = await SiloHostTests.Start("--model", StoriesPath(), "--node", node, "--api-key", "secret");
        await using var _ = app;
        var gpu = $"gpu=\"{node}/0\"";
        var model = "model_name=\"stories260K\"";
        var genAi = "gen_ai_request_model=\"stories260K\"";

        // Open though API keys are set: scrapers carry none. Every engine series is there before the first request.
        var before = await Scrape(http);
        foreach (var series in new[] { "vllm_num_requests_running", "vllm_num_requests_waiting", "vllm_kv_cache_usage_perc", "vllm_prompt_tokens_total",
                     "vllm_generation_tokens_total", "vllm_prefix_cache_queries_total", "vllm_prefix_cache_hits_total", "vllm_num_preemptions_total" })
            before.Value(series, gpu, model).Should().NotBeNull($"{series} is shown for the GPU");
        before.Value("vllm_prefix_cache_hits_total", gpu)!.Value.Should().Be(0);

        // Longer than two KV blocks of 16 tokens, so the second request finds the first's full blocks cached.
        const string prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends and her dog.";
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "secret");
        for (var i = 0; i < 2; i++)
        {
            var reply = await http.PostAsJsonAsync("/v1/completions", new { model = "stories260K", prompt, max_tokens = 8, temperature = 0, ignore_eos = true });
            reply.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        http.DefaultRequestHeaders.Authorization = null;

        // The scrape endpoint caches its answer briefly: wait for the numbers rather than for time.
        var after = await WaitFor(http, m =>
            m.Value("gen_ai_server_request_duration_seconds_count", genAi) >= (before.Value("gen_ai_server_request_duration_seconds_count", genAi) ?? 0) + 2
            && m.Value("vllm_generation_tokens_total", gpu) >= 16
            && m.Value("vllm_prefix_cache_hits_total", gpu) > 0);
        after.Value("vllm_prompt_tokens_total", gpu).Should().BeGreaterThanOrEqualTo(2 * 30, "both prompts count");
        after.Value("vllm_prefix_cache_queries_total", gpu).Should().BeGreaterThanOrEqualTo(2 * 30);
        after.Value("vllm_prefix_cache_hits_total", gpu).Should().BeGreaterThanOrEqualTo(16, "the second request found at least a block of the first");
        after.Value("vllm_request_queue_time_seconds_count", gpu).Should().Be(2);
        after.Value("vllm_iteration_tokens_total_count", gpu).Should().BeGreaterThan(0);
        after.Value("vllm_request_success_total", model, "finished_reason=\"length\"").Should().BeGreaterThanOrEqualTo(2);
        after.Value("vllm_num_requests_running", gpu).Should().Be(0, "both requests ended");
        foreach (var histogram in new[] { "gen_ai_server_time_to_first_token_seconds", "gen_ai_server_time_per_output_token_seconds" })
            after.Value($"{histogram}_count", genAi, "gen_ai_operation_name=\"text_completion\"").Should().BeGreaterThanOrEqualTo(2, histogram);
        after.Value("gen_ai_server_token_usage_sum", genAi, "gen_ai_token_type=\"output\"").Should().BeGreaterThanOrEqualTo(16);
        after.Value("gen_ai_server_request_duration_seconds_bucket", genAi, "le=\"81.92\"").Should().NotBeNull("the conventions' buckets are used");
    }

    /// <summary>Tests (and any process with two silos) hold several meters named Grid: each host exports its own.</summary>
    [SkippableFact]
    public async Task A_silo_exports_its_own_meters_while_others_in_the_process_come_and_go()
    {
        // The other silo comes first: its instruments are the older ones of their names in the process.
        var (other, otherHttp) = await SiloHostTests.Start("--model", StoriesPath(), "--node", "metrics-b");
        var (app, http) = await SiloHostTests.Start("--model", StoriesPath(), "--node", "metrics-a");
        await using var _ = app;
        await using (other)
        {
            (await Scrape(otherHttp)).Value("vllm_num_requests_running", "gpu=\"metrics-b/0\"").Should().NotBeNull();
            (await Scrape(http)).Value("vllm_num_requests_running", "gpu=\"metrics-b/0\"").Should().BeNull("another silo's GPU");
            await other.StopAsync();
        }
        // A scrape after the other silo stopped drops what it left; the series of this one go on, and move.
        await Scrape(http);
        var reply = await http.PostAsJsonAsync("/v1/completions", new { model = "stories260K", prompt = "Once upon a time", max_tokens = 8, ignore_eos = true });
        reply.StatusCode.Should().Be(HttpStatusCode.OK);
        var scraped = await WaitFor(http, m => m.Value("vllm_generation_tokens_total", "gpu=\"metrics-a/0\"") >= 8
            && m.Value("gen_ai_server_request_duration_seconds_count", "gen_ai_request_model=\"stories260K\"") >= 1);
        scraped.Value("vllm_num_requests_running", "gpu=\"metrics-a/0\"").Should().NotBeNull("this silo's GPU is still there");
    }

    [Fact]
    public async Task Otlp_export_pushes_the_grid_metrics_to_the_configured_collector()
    {
        using var collector = new HttpListener();
        var port = Loopback.FreePort();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        // The small reference model starts faster than the demo model, which serves where it is missing.
        var stories = Path.Combine(GenerateCommandTests.StoriesDirForTests() ?? "", "stories260K.bin");
        string[] model = File.Exists(stories) ? ["--model", stories] : [];
        var (app, _) = await SiloHostTests.Start([.. model, "--Grid:OtlpEndpoint", $"http://127.0.0.1:{port}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "--OTEL_METRIC_EXPORT_INTERVAL", "200"]);
        await using var __ = app;

        // The GPU shows its gauges from the start; the first export carries them.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var context = await collector.GetContextAsync().WaitAsync(deadline - DateTime.UtcNow);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();
            context.Request.Url!.AbsolutePath.Should().Be("/v1/metrics", "the setting stands for OTEL_EXPORTER_OTLP_ENDPOINT");
            // Protobuf keeps strings as UTF-8 bytes.
            if (Encoding.UTF8.GetString(body.ToArray()).Contains("vllm.num_requests_running")) break;
        }
        // Gone before the host stops: its last export is refused at once rather than waiting out the exporter's timeout.
        collector.Stop();
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("ftp://collector:4317")]
    public void A_bad_otlp_endpoint_stops_the_host_naming_it(string endpoint)
    {
        var act = () => SiloHost.Build(["--Grid:OtlpEndpoint", endpoint], TextWriter.Null);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("Grid:OtlpEndpoint"));
    }

    private static async Task<Scraped> Scrape(HttpClient http)
    {
        var reply = await http.GetAsync(Telemetry.ScrapePath);
        reply.StatusCode.Should().Be(HttpStatusCode.OK);
        return new Scraped(await reply.Content.ReadAsStringAsync());
    }

    private static async Task<Scraped> WaitFor(HttpClient http, Func<Scraped, bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var scraped = await Scrape(http);
            if (condition(scraped)) return scraped;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {seconds} s for the metrics; last scrape:\n{scraped.Text}");
            await Task.Delay(50);
        }
    }

    /// <summary>A Prometheus text exposition, read line by line.</summary>
    private sealed record Scraped(string Text)
    {
        /// <summary>The sum over the series of <paramref name="name"/> whose labels hold every one of <paramref name="labels"/>; null when none.</summary>
        public double? Value(string name, params string[] labels)
        {
            double? sum = null;
            foreach (var line in Text.Split('\n'))
            {
                if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal)) continue;
                var close = line.LastIndexOf('}');
                var labelText = close < 0 ? "" : line[..close];
                if (!labels.All(labelText.Contains)) continue;
                var value = line[(close + 1)..].Trim().Split(' ')[0];
                sum = (sum ?? 0) + double.Parse(value, CultureInfo.InvariantCulture);
            }
            return sum;
        }
    }
}
