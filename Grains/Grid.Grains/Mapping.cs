using Grid.Engine.Sampling;
using EngineFinish = Grid.Engine.Scheduling.FinishReason;

namespace Grid.Grains;

/// <summary>Between the grid's messages and the engine's types.</summary>
public static class Mapping
{
    public static SamplingOptions ToEngine(this GenerationOptions o, ulong seed) => new()
    {
        Temperature = o.Temperature,
        TopK = o.TopK,
        TopP = o.TopP,
        MinP = o.MinP,
        RepetitionPenalty = o.RepetitionPenalty,
        PresencePenalty = o.PresencePenalty,
        FrequencyPenalty = o.FrequencyPenalty,
        Seed = seed,
        MaxTokens = o.MaxTokens,
        StopTokenIds = o.StopTokenIds ?? [],
        StopStrings = o.StopStrings ?? [],
        IgnoreEos = o.IgnoreEos,
        LogProbs = o.LogProbs,
    };

    /// <summary>The engine's options as a grid message; log probabilities stay off, since token batches do not carry them yet.</summary>
    public static GenerationOptions ToGrid(this SamplingOptions o) => new()
    {
        Temperature = o.Temperature,
        TopK = o.TopK,
        TopP = o.TopP,
        MinP = o.MinP,
        RepetitionPenalty = o.RepetitionPenalty,
        PresencePenalty = o.PresencePenalty,
        FrequencyPenalty = o.FrequencyPenalty,
        Seed = o.Seed,
        MaxTokens = o.MaxTokens,
        StopTokenIds = [.. o.StopTokenIds],
        StopStrings = [.. o.StopStrings],
        IgnoreEos = o.IgnoreEos,
        LogProbs = o.LogProbs,
    };

    public static EngineFinish ToEngine(this GenerationFinish f) => f switch
    {
        GenerationFinish.Stop => EngineFinish.Stop,
        GenerationFinish.Length => EngineFinish.Length,
        _ => EngineFinish.Abort,
    };

    public static GenerationFinish ToGrid(this EngineFinish f) => f switch
    {
        EngineFinish.Stop => GenerationFinish.Stop,
        EngineFinish.Length => GenerationFinish.Length,
        _ => GenerationFinish.Abort,
    };
}
