using Grid.Engine.Sampling;

namespace Grid.Engine.Scheduling;

/// <summary>
/// A request as the engine sees it: prompt token ids, how to sample, and its place in the queue.
/// Lower <see cref="Priority"/> values are served first; equal priorities first come, first served.
/// </summary>
public sealed record EngineRequest(string Id, int[] PromptTokens, SamplingOptions Options)
{
    public int Priority { get; init; }

    /// <summary>When the request arrived, on the engine's clock; null means when <see cref="EngineCore.Add"/> sees it.</summary>
    public TimeSpan? ArrivalTime { get; init; }

    /// <summary>Tokens generated before (a request resumed elsewhere): they are recomputed, not generated again.</summary>
    public int[] GeneratedTokens { get; init; } = [];
}
