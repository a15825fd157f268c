namespace Grid.Engine.Sampling;

/// <summary>A token and its natural-log probability.</summary>
public readonly record struct TokenLogProb(int Id, float LogProb);
