namespace Grid.Api.OpenAi;

/// <summary>POST /v1/chat/completions.</summary>
public sealed class ChatCompletionRequest : SamplingRequest
{
    public List<RequestMessage>? Messages { get; set; }

    /// <summary>The newer name for max_tokens; wins when both are given.</summary>
    public int? MaxCompletionTokens { get; set; }

    public bool? Logprobs { get; set; }
    public int? TopLogprobs { get; set; }
}
