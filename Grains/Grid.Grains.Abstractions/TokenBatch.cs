namespace Grid.Grains;

/// <summary>
/// What a GPU grain sends a request grain after a step: the new tokens, the text each completed
/// (<see cref="Texts"/> runs beside <see cref="Tokens"/>; the last may carry the decoder's final flush),
/// and the finish. <see cref="Offset"/> is how many tokens the request had generated before these, and
/// <see cref="Admission"/> which admission produced them, so a request grain drops stale or repeated batches.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.TokenBatch")]
public sealed record TokenBatch(
    [property: Id(0)] string RequestId,
    [property: Id(1)] int Admission,
    [property: Id(2)] int Offset,
    [property: Id(3)] int[] Tokens,
    [property: Id(4)] string[] Texts,
    [property: Id(5)] GenerationFinish? Finish,
    [property: Id(6)] int CachedTokens,
    [property: Id(7)] string? Error = null)
{
    /// <summary>Beside <see cref="Tokens"/> when the request asked for log-probabilities; null otherwise.</summary>
    [Id(8)] public SampledLogProbs[]? LogProbs { get; init; }
}
