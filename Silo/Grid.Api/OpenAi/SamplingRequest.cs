using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>The fields chat completions and completions requests share: the model, sampling and stopping.</summary>
public abstract class SamplingRequest
{
    public string? Model { get; set; }
    public int? MaxTokens { get; set; }
    public float? Temperature { get; set; }
    public float? TopP { get; set; }

    /// <summary>vLLM's extensions beyond OpenAI's fields: top_k, min_p, repetition_penalty, ignore_eos.</summary>
    public int? TopK { get; set; }
    public float? MinP { get; set; }
    public float? RepetitionPenalty { get; set; }
    public bool? IgnoreEos { get; set; }

    public float? PresencePenalty { get; set; }
    public float? FrequencyPenalty { get; set; }
    public long? Seed { get; set; }

    [JsonConverter(typeof(StringOrArrayConverter))]
    public IReadOnlyList<string>? Stop { get; set; }

    public int? N { get; set; }
    public bool? Stream { get; set; }
    public StreamOptions? StreamOptions { get; set; }
}
