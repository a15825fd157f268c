using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>A completion of the legacy text API (object "text_completion"), whole or as one streamed chunk.</summary>
public sealed record CompletionResponse(string Id, long Created, string Model, IReadOnlyList<CompletionChoice> Choices)
{
    public string Object => "text_completion";
    public Usage? Usage { get; init; }
}

public sealed record CompletionChoice(int Index, string Text)
{
    /// <summary>Null on streamed chunks until the choice's last.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public CompletionLogProbs? Logprobs { get; init; }
}

/// <summary>The legacy format: parallel lists per token, alternatives as token-to-logprob maps.</summary>
public sealed record CompletionLogProbs(
    IReadOnlyList<string> Tokens, IReadOnlyList<float> TokenLogprobs, IReadOnlyList<Dictionary<string, float>> TopLogprobs, IReadOnlyList<int> TextOffset);
