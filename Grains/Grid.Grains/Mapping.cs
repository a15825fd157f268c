using Grid.Engine.Sampling;
using EngineFinish = Grid.Engine.Scheduling.FinishReason;

namespace Grid.Grains;

/// <summary>Between the grid's messages and the engine's types.</summary>
internal static class Mapping
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

    public static GenerationFinish ToGrid(this EngineFinish f) => f switch
    {
        EngineFinish.Stop => GenerationFinish.Stop,
        EngineFinish.Length => GenerationFinish.Length,
        _ => GenerationFinish.Abort,
    };
}
