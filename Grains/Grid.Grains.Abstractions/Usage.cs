namespace Grid.Grains;

/// <summary>Token counts for billing and metrics; cached tokens are prompt tokens served from the prefix cache.</summary>
[GenerateSerializer, Immutable, Alias("grid.Usage")]
public sealed record Usage(
    [property: Id(0)] int PromptTokens,
    [property: Id(1)] int CompletionTokens,
    [property: Id(2)] int CachedTokens);
