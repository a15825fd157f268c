namespace Grid.Engine.Sampling;

/// <summary>
/// A chosen token. <see cref="LogProb"/> and <see cref="TopLogProbs"/> come from the model's distribution after
/// penalties, before temperature and truncation; they are NaN and null when log-probabilities were not asked for.
/// </summary>
public readonly record struct SampledToken(int Id, float LogProb, IReadOnlyList<TokenLogProb>? TopLogProbs);
