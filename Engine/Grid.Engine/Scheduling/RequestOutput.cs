using Grid.Engine.Sampling;

namespace Grid.Engine.Scheduling;

/// <summary>What one step produced for one request: its new token (if any), the text it completed, and how it finished.</summary>
public sealed record RequestOutput(string Id, int? Token, string Text, FinishReason? Finish)
{
    public float LogProb { get; init; } = float.NaN;
    public IReadOnlyList<TokenLogProb>? TopLogProbs { get; init; }
    public int PromptTokens { get; init; }
    public int GeneratedTokens { get; init; }

    /// <summary>Prompt tokens served from the prefix cache instead of computed.</summary>
    public int CachedTokens { get; init; }
}
