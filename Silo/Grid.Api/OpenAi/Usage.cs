namespace Grid.Api.OpenAi;

/// <summary>Token counts of a request: the prompt once, the completions of all choices together.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
