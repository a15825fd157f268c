namespace Grid.Grains;

/// <summary>What a client asks for: a model, the prompt's token ids, how to sample, and a priority (lower first).</summary>
[GenerateSerializer, Immutable, Alias("grid.GenerationRequest")]
public sealed record GenerationRequest(
    [property: Id(0)] string Model,
    [property: Id(1)] int[] PromptTokens,
    [property: Id(2)] GenerationOptions Options,
    [property: Id(3)] int Priority = 0);
