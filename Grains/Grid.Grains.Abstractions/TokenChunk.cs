namespace Grid.Grains;

/// <summary>
/// A piece of a request's output: the generated tokens from <see cref="Offset"/> on (an index into the
/// generated tokens, not the prompt), the text they complete, and on the last chunk why it finished and the usage.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.TokenChunk")]
public sealed record TokenChunk(
    [property: Id(0)] int Offset,
    [property: Id(1)] int[] Tokens,
    [property: Id(2)] string Text,
    [property: Id(3)] GenerationFinish? Finish = null,
    [property: Id(4)] Usage? Usage = null,
    [property: Id(5)] string? Error = null)
{
    /// <summary>Each token's own text and log-probabilities, beside <see cref="Tokens"/>, when the request asked for log-probabilities.</summary>
    [Id(6)] public string[]? Texts { get; init; }

    [Id(7)] public SampledLogProbs[]? LogProbs { get; init; }
}
