namespace Grid.Grains;

/// <summary>
/// How a request samples and when it stops: the engine's SamplingOptions as a message, so the client
/// never references the engine. Defaults and names match the engine's (OpenAI-style).
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.GenerationOptions")]
public sealed record GenerationOptions
{
    [Id(0)] public float Temperature { get; init; } = 1f;
    [Id(1)] public int TopK { get; init; }
    [Id(2)] public float TopP { get; init; } = 1f;
    [Id(3)] public float MinP { get; init; }
    [Id(4)] public float RepetitionPenalty { get; init; } = 1f;
    [Id(5)] public float PresencePenalty { get; init; }
    [Id(6)] public float FrequencyPenalty { get; init; }

    /// <summary>Fixes the draws; null lets the request grain pick one and keep it for the request's life.</summary>
    [Id(7)] public ulong? Seed { get; init; }

    [Id(8)] public int MaxTokens { get; init; } = 256;
    [Id(9)] public int[] StopTokenIds { get; init; } = [];
    [Id(10)] public string[] StopStrings { get; init; } = [];
    [Id(11)] public bool IgnoreEos { get; init; }
    [Id(12)] public int LogProbs { get; init; }
}
