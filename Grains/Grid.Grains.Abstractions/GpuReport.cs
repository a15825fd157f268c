namespace Grid.Grains;

/// <summary>
/// What a GPU grain pushes to the cluster view about once a second: its load, pool size, prefix cache counters
/// (cumulative since the engine started), the requests it holds now, and the latencies of those that finished
/// since its last report. Ages are measured on the GPU's own clock, so silos' clocks need not agree.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.GpuReport")]
public sealed record GpuReport(
    [property: Id(0)] string Gpu,
    [property: Id(1)] string Silo,
    [property: Id(2)] string Model,
    [property: Id(3)] string Backend,
    [property: Id(4)] int TotalBlocks,
    [property: Id(5)] LoadReport Load,
    [property: Id(6)] long PrefixQueryTokens,
    [property: Id(7)] long PrefixHitTokens,
    [property: Id(8)] RunningRequest[] Requests,
    [property: Id(9)] FinishedRequest[] Finished);

/// <summary>A request a GPU holds: tokens generated so far (all admissions), seconds since this GPU admitted it, and whether it has had a token here yet.</summary>
[GenerateSerializer, Immutable, Alias("grid.RunningRequest")]
public sealed record RunningRequest(
    [property: Id(0)] string Id,
    [property: Id(1)] int Tokens,
    [property: Id(2)] double AgeSeconds,
    [property: Id(3)] bool Started);

/// <summary>
/// A request that finished on a GPU: time to first token (from its admission there; only for a first admission, whose
/// prompt was not partly generated elsewhere) and time per output token after the first, in milliseconds.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.FinishedRequest")]
public sealed record FinishedRequest(
    [property: Id(0)] double? TtftMs,
    [property: Id(1)] double? TpotMs);
