using System.Diagnostics.Metrics;

namespace Grid.Grains;

/// <summary>
/// The grid's instruments, on meter <see cref="MeterName"/> (System.Diagnostics.Metrics; the host's OpenTelemetry SDK
/// exports them). Request grains record the gen_ai.server.* semantic conventions; each GPU's engine gets an
/// <see cref="EngineMeter"/> for counters and histograms named after vLLM's, and its load feeds the gauges.
/// Instrument names use dots: Prometheus shows vllm.num_requests_running as vllm_num_requests_running.
/// The meter comes from the silo's <see cref="IMeterFactory"/>, which disposes it with the silo.
/// </summary>
public sealed class GridMetrics
{
    public const string MeterName = "Grid";

    /// <summary>gen_ai.provider.name: no well-known value fits a self-hosted grid, so a custom one.</summary>
    public const string Provider = "grid";

    // Bucket boundaries the semantic conventions ask for.
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] FirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] PerTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    // vLLM's buckets, so its dashboards' quantiles mean the same.
    private static readonly double[] QueueBuckets = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];
    private static readonly double[] InterTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly long[] IterationBuckets = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

    private readonly List<(EngineWorker Worker, KeyValuePair<string, object?>[] Tags)> _engines = [];

    public GridMetrics(IMeterFactory factory)
    {
        Meter = factory.Create(MeterName);

        RequestDuration = Meter.CreateHistogram("gen_ai.server.request.duration", "s",
            "Generative AI server request duration such as time-to-last byte or last output token.", advice: Buckets(DurationBuckets));
        TimeToFirstToken = Meter.CreateHistogram("gen_ai.server.time_to_first_token", "s",
            "Time to generate first token for successful responses.", advice: Buckets(FirstTokenBuckets));
        TimePerOutputToken = Meter.CreateHistogram("gen_ai.server.time_per_output_token", "s",
            "Time per output token generated after the first token for successful responses.", advice: Buckets(PerTokenBuckets));
        TokenUsage = Meter.CreateHistogram("gen_ai.server.token.usage", "{token}",
            "Number of input and output tokens used per request (the shape of gen_ai.client.token.usage, seen by the server).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        RequestSuccess = Meter.CreateCounter<long>("vllm.request_success", "{request}", "Requests that ended, by finished_reason.");
        Migrations = Meter.CreateCounter<long>("grid.request.migrations", "{request}",
            "Running requests admitted again (another GPU, or the same one after it lost them), by grid.migration.reason.");

        PromptTokens = Meter.CreateCounter<long>("vllm.prompt_tokens", "{token}", "Prompt tokens of requests that reached their first token.");
        GenerationTokens = Meter.CreateCounter<long>("vllm.generation_tokens", "{token}", "Generated tokens.");
        Preemptions = Meter.CreateCounter<long>("vllm.num_preemptions", "{preemption}", "Sequences preempted when KV blocks ran out.");
        PrefixQueries = Meter.CreateCounter<long>("vllm.prefix_cache_queries", "{token}", "Tokens looked up in the prefix cache.");
        PrefixHits = Meter.CreateCounter<long>("vllm.prefix_cache_hits", "{token}", "Tokens found in the prefix cache.");
        IterationTokens = Meter.CreateHistogram("vllm.iteration_tokens_total", "{token}",
            "Tokens per engine step: prompt tokens computed plus tokens generated.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = IterationBuckets });
        QueueTime = Meter.CreateHistogram("vllm.request_queue_time", "s", "Time a request waited in its engine before first scheduled.", advice: Buckets(QueueBuckets));
        EngineFirstToken = Meter.CreateHistogram("vllm.time_to_first_token", "s",
            "Time from admission to a GPU's engine to the first token there.", advice: Buckets([.. FirstTokenBuckets, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0]));
        InterTokenLatency = Meter.CreateHistogram("vllm.inter_token_latency", "s", "Time between two tokens of a request.", advice: Buckets(InterTokenBuckets));
        EngineLatency = Meter.CreateHistogram("vllm.e2e_request_latency", "s", "Time from admission to a GPU's engine to the request's end there.", advice: Buckets(QueueBuckets));

        Meter.CreateObservableGauge("vllm.num_requests_running", () => Observe(l => l.Running), "{request}", "Requests in the engine's running batch.");
        Meter.CreateObservableGauge("vllm.num_requests_waiting", () => Observe(l => l.Waiting), "{request}", "Requests waiting for the engine to schedule them.");
        // No unit: "1" would make Prometheus append _ratio, and the name must stay vLLM's.
        Meter.CreateObservableGauge("vllm.kv_cache_usage_perc", () => Observe(l => KvUsage(l)), null,
            "Fraction of KV blocks in use by requests (1 = all); cached prefix blocks count as free, as in vLLM.");
        Meter.CreateObservableGauge("grid.kv_cache.blocks", ObserveBlocks, "{block}", "KV blocks of a GPU's pool by grid.kv.state: used, cached (prefix cache, evictable), free.");
    }

    public Meter Meter { get; }

    internal Histogram<double> RequestDuration { get; }
    internal Histogram<double> TimeToFirstToken { get; }
    internal Histogram<double> TimePerOutputToken { get; }
    internal Histogram<long> TokenUsage { get; }
    internal Counter<long> RequestSuccess { get; }
    internal Counter<long> Migrations { get; }

    internal Counter<long> PromptTokens { get; }
    internal Counter<long> GenerationTokens { get; }
    internal Counter<long> Preemptions { get; }
    internal Counter<long> PrefixQueries { get; }
    internal Counter<long> PrefixHits { get; }
    internal Histogram<long> IterationTokens { get; }
    internal Histogram<double> QueueTime { get; }
    internal Histogram<double> EngineFirstToken { get; }
    internal Histogram<double> InterTokenLatency { get; }
    internal Histogram<double> EngineLatency { get; }

    /// <summary>The attributes of a GPU's engine series: gpu ("node/ordinal") and model_name (vLLM's label).</summary>
    public static KeyValuePair<string, object?>[] EngineTags(string gpu, string model) => [new("gpu", gpu), new("model_name", model)];

    /// <summary>Where one GPU's engine passes its counters and histograms, after each step.</summary>
    public EngineMeter ForEngine(string gpu, string model) => new(this, EngineTags(gpu, model));

    /// <summary>The worker's load feeds the gauges until <see cref="Untrack"/>.</summary>
    public void Track(EngineWorker worker, string gpu, string model)
    {
        lock (_engines) _engines.Add((worker, EngineTags(gpu, model)));
    }

    public void Untrack(EngineWorker worker)
    {
        lock (_engines) _engines.RemoveAll(e => e.Worker == worker);
    }

    /// <summary>The request grain's view of one request; see <see cref="RequestMeter"/>.</summary>
    public RequestMeter Request(GenerationRequest request) => new(this, request);

    private List<Measurement<double>> Observe(Func<LoadReport, double> value)
    {
        lock (_engines) return _engines.Select(e => new Measurement<double>(value(e.Worker.Load), e.Tags)).ToList();
    }

    private List<Measurement<long>> ObserveBlocks()
    {
        lock (_engines)
            return _engines.SelectMany(e =>
            {
                var l = e.Worker.Load;
                return new[] { ("used", l.UsedBlocks), ("cached", l.CachedBlocks), ("free", l.FreeBlocks) }
                    .Select(s => new Measurement<long>(s.Item2, [.. e.Tags, new("grid.kv.state", s.Item1)]));
            }).ToList();
    }

    private static double KvUsage(LoadReport l) => l.UsedBlocks / (double)Math.Max(1, l.UsedBlocks + l.CachedBlocks + l.FreeBlocks);

    private static InstrumentAdvice<double> Buckets(double[] bounds) => new() { HistogramBucketBoundaries = bounds };
}
