namespace Grid.Grains;

/// <summary>
/// A generated token's natural-log probability and the most likely alternatives the sampler saw (ids and
/// log-probabilities side by side), for requests that asked for <see cref="GenerationOptions.LogProbs"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.SampledLogProbs")]
public sealed record SampledLogProbs(
    [property: Id(0)] float LogProb,
    [property: Id(1)] int[] TopIds,
    [property: Id(2)] float[] TopLogProbs);
