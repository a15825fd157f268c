using Grid.Engine.Scheduling;

namespace Grid.Api.Generation;

/// <summary>
/// What one engine step produced for a call: the text it completed (often one token's worth, sometimes
/// empty), and on the last event why it finished. Token counts are totals so far.
/// </summary>
public sealed record GenerationEvent(string Text, FinishReason? Finish)
{
    public int? Token { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }

    /// <summary>The chosen token's log-probability and its most likely alternatives, when asked for.</summary>
    public TokenLogProbs? LogProbs { get; init; }
}
