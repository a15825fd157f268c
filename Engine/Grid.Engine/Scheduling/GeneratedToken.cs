using Grid.Engine.Sampling;

namespace Grid.Engine.Scheduling;

/// <summary>
/// One generated token: its id, the text it completed (empty while a UTF-8 character or a possible
/// stop string is held back), its log-probabilities when asked for, and the finish reason on the last.
/// </summary>
public sealed record GeneratedToken(int Id, string Text, float LogProb, IReadOnlyList<TokenLogProb>? TopLogProbs, FinishReason? Finish);
