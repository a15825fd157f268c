namespace Grid.Engine.Scheduling;

/// <summary>
/// The engine's counters, gauges and histograms, named after vLLM's so dashboards translate. Plain
/// fields and properties written by the engine thread; the host maps them onto OpenTelemetry.
/// </summary>
public sealed class EngineMetrics
{
    public long Steps;
    /// <summary>Prompt tokens of requests that reached their first token, each prompt once (vllm:prompt_tokens).</summary>
    public long PromptTokens;

    /// <summary>Prompt tokens actually computed: prefix-cache hits skip theirs, recomputation after preemption repeats them.</summary>
    public long PromptTokensComputed;
    public long GenerationTokens;
    public long Preemptions;

    /// <summary>Tokens looked up in the prefix cache (vllm:prefix_cache_queries) and found (vllm:prefix_cache_hits).</summary>
    public long PrefixQueryTokens;
    public long PrefixHitTokens;

    public long RequestsFinished;
    public long RequestsAborted;

    public int Running { get; internal set; }
    public int Waiting { get; internal set; }
    public int KvBlocksUsed { get; internal set; }
    public int KvBlocksCached { get; internal set; }
    public int KvBlocksFree { get; internal set; }

    public Histogram TimeToFirstToken { get; } = new();
    public Histogram TimePerOutputToken { get; } = new();
    public Histogram QueueTime { get; } = new();
    public Histogram RequestLatency { get; } = new();

    public double KvUsage => KvBlocksUsed / (double)Math.Max(1, KvBlocksUsed + KvBlocksCached + KvBlocksFree);
    public double PrefixHitRate => PrefixQueryTokens == 0 ? 0 : PrefixHitTokens / (double)PrefixQueryTokens;
}
