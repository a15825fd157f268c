using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>A whole chat completion (object "chat.completion").</summary>
public sealed record ChatCompletionResponse(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage)
{
    public string Object => "chat.completion";
}

public sealed record ChatChoice(int Index, AssistantMessage Message, string FinishReason)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ChatLogProbs? Logprobs { get; init; }
}

public sealed record AssistantMessage(string Content)
{
    public string Role => "assistant";
}
