namespace Grid.Api.OpenAi;

/// <summary>choices[].logprobs of the chat API: one entry per generated token.</summary>
public sealed record ChatLogProbs(IReadOnlyList<ChatTokenLogProb> Content);

public sealed record ChatTokenLogProb(string Token, float Logprob, byte[] Bytes, IReadOnlyList<TopLogProb> TopLogprobs);

public sealed record TopLogProb(string Token, float Logprob, byte[] Bytes);
