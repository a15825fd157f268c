namespace Grid.Engine.Sampling;

/// <summary>How one request picks its tokens and when it stops. Names in messages follow the OpenAI API.</summary>
public sealed record SamplingOptions
{
    public const int MaxLogProbs = 20;
    public const int MaxStopStrings = 16;
    public const int MaxStopLength = 256;

    /// <summary>Divides the logits; 0 picks the most likely token (lowest id on ties).</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keeps the k most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Keeps the smallest set of most likely tokens whose probability reaches this; 1 keeps all.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Drops tokens less likely than this fraction of the most likely one; 0 keeps all.</summary>
    public float MinP { get; init; }

    /// <summary>llama.cpp/HF style over prompt and output: positive logits divided by it, negative ones multiplied.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI style: subtracted once from the logit of every token already generated.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>OpenAI style: subtracted from a token's logit once per time it was generated.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Fixes the draws; null lets the request pick one at random and keep it (<see cref="SeedOrRandom"/>).</summary>
    public ulong? Seed { get; init; }

    public int MaxTokens { get; init; } = 256;

    /// <summary>Ids that end generation besides the tokenizer's own stop ids.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Text that ends generation; it is not part of the output.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Generation goes on past EOS: the sequence's stop check reads this, the sampler does not.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>How many most likely alternatives to report with each token (0 = no log-probabilities).</summary>
    public int LogProbs { get; init; }

    /// <summary>The seed a request uses for its whole life, recorded so a recomputation draws the same tokens.</summary>
    public ulong SeedOrRandom() => Seed ?? (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Check(float.IsFinite(Temperature) && Temperature >= 0, "temperature must be >= 0");
        Check(TopK >= 0, "top_k must be >= 0 (0 disables it)");
        Check(TopP > 0 && TopP <= 1, "top_p must be in (0, 1]");
        Check(MinP >= 0 && MinP <= 1, "min_p must be in [0, 1]");
        Check(float.IsFinite(RepetitionPenalty) && RepetitionPenalty > 0, "repetition_penalty must be > 0");
        Check(PresencePenalty >= -2 && PresencePenalty <= 2, "presence_penalty must be in [-2, 2]");
        Check(FrequencyPenalty >= -2 && FrequencyPenalty <= 2, "frequency_penalty must be in [-2, 2]");
        Check(MaxTokens >= 1, "max_tokens must be >= 1");
        Check(StopTokenIds is not null && StopTokenIds.All(id => id >= 0), "stop_token_ids must be non-negative token ids");
        // Matching costs grow with count x length per token: bound them so one request cannot stall a step.
        Check(StopStrings is not null && StopStrings.Count <= MaxStopStrings, $"stop may hold at most {MaxStopStrings} strings");
        Check(StopStrings is not null && StopStrings.All(s => !string.IsNullOrEmpty(s)), "stop strings must not be empty");
        Check(StopStrings!.All(s => s.Length <= MaxStopLength), $"each stop string must be at most {MaxStopLength} characters");
        Check(LogProbs >= 0 && LogProbs <= MaxLogProbs, $"logprobs must be in [0, {MaxLogProbs}]");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
