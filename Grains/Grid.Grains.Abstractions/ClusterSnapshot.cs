namespace Grid.Grains;

/// <summary>
/// The whole grid as the cluster view grain last heard it, shaped as GET /admin/api/cluster answers (docs/admin-api.md):
/// property names turn into the contract's camelCase JSON names.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.ClusterSnapshot")]
public sealed record ClusterSnapshot(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] SiloView[] Silos,
    [property: Id(2)] GpuView[] Gpus,
    [property: Id(3)] RequestView[] Requests,
    [property: Id(4)] ClusterTotals Totals);

/// <summary>A live silo: its Orleans address, its grid node (silo metadata "grid.node"), membership status, and whether it drains.</summary>
[GenerateSerializer, Immutable, Alias("grid.SiloView")]
public sealed record SiloView(
    [property: Id(0)] string Address,
    [property: Id(1)] string? Node,
    [property: Id(2)] string Status,
    [property: Id(3)] bool Draining);

[GenerateSerializer, Immutable, Alias("grid.GpuView")]
public sealed record GpuView(
    [property: Id(0)] string Key,
    [property: Id(1)] string Node,
    [property: Id(2)] string Backend,
    [property: Id(3)] string Model,
    [property: Id(4)] int FreeBlocks,
    [property: Id(5)] int CachedBlocks,
    [property: Id(6)] int UsedBlocks,
    [property: Id(7)] int TotalBlocks,
    [property: Id(8)] int Running,
    [property: Id(9)] int Waiting,
    [property: Id(10)] double TokensPerSecond,
    [property: Id(11)] long PrefixQueryTokens,
    [property: Id(12)] long PrefixHitTokens,
    [property: Id(13)] bool Draining);

/// <summary>A request a GPU holds; <see cref="Phase"/> is "Waiting" until it has had a token on that GPU, then "Running".</summary>
[GenerateSerializer, Immutable, Alias("grid.RequestView")]
public sealed record RequestView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Gpu,
    [property: Id(2)] int Tokens,
    [property: Id(3)] double AgeSeconds,
    [property: Id(4)] string Phase);

/// <summary>Sums over the GPUs; the prefix hit rate and the latency percentiles cover the last 60 s (percentiles null when nothing finished).</summary>
[GenerateSerializer, Immutable, Alias("grid.ClusterTotals")]
public sealed record ClusterTotals(
    [property: Id(0)] double TokensPerSecond,
    [property: Id(1)] int Running,
    [property: Id(2)] int Waiting,
    [property: Id(3)] double PrefixHitRate,
    [property: Id(4)] Percentiles? TtftMs,
    [property: Id(5)] Percentiles? TpotMs);

[GenerateSerializer, Immutable, Alias("grid.Percentiles")]
public sealed record Percentiles(
    [property: Id(0)] double P50,
    [property: Id(1)] double P90,
    [property: Id(2)] double P99);
