using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>One server-sent event of a streamed chat completion (object "chat.completion.chunk").</summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices)
{
    public string Object => "chat.completion.chunk";

    /// <summary>Only on the last, choice-less chunk when stream_options.include_usage asked for it.</summary>
    public Usage? Usage { get; init; }
}

public sealed record ChunkChoice(int Index, ChunkDelta Delta)
{
    /// <summary>Written as null until the choice's last chunk, as OpenAI does.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; init; }

    public ChatLogProbs? Logprobs { get; init; }
}

/// <summary>The role on a choice's first chunk only; content is the text added since the previous chunk.</summary>
public sealed record ChunkDelta(string? Content)
{
    public string? Role { get; init; }
}
