namespace Grid.Api.Generation;

/// <summary>A generated token's text, bytes and log-probability, with the alternatives the sampler saw.</summary>
public sealed record TokenLogProbs(TokenText Chosen, IReadOnlyList<TokenText> Top);

/// <summary>A token as a client sees it: its text (lossy for partial UTF-8), raw bytes and natural-log probability.</summary>
public sealed record TokenText(string Token, byte[] Bytes, float LogProb);
