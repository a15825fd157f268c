using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>POST /v1/completions (the legacy text API): logprobs is a count of alternatives here.</summary>
public sealed class CompletionRequest : SamplingRequest
{
    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? Prompt { get; set; }

    public int? Logprobs { get; set; }
}
