namespace Grid.Grains;

/// <summary>A request grain's persisted state: the request, its fixed seed, and its output so far.</summary>
[GenerateSerializer, Alias("grid.RequestGrainState")]
public sealed class RequestGrainState
{
    [Id(0)] public GenerationRequest? Request { get; set; }
    [Id(1)] public ulong Seed { get; set; }
    [Id(2)] public List<int> Tokens { get; set; } = [];

    /// <summary>The text each token completed, beside <see cref="Tokens"/>, so a stream can start at any offset.</summary>
    [Id(3)] public List<string> Texts { get; set; } = [];

    [Id(4)] public RequestPhase Phase { get; set; }
    [Id(5)] public GenerationFinish? Finish { get; set; }
    [Id(6)] public string? Error { get; set; }
    [Id(7)] public int Admissions { get; set; }
    [Id(8)] public string? Gpu { get; set; }
    [Id(9)] public int CachedTokens { get; set; }

    /// <summary>The prompt's tokens: the request's own, or its text as a silo serving the model encoded it.</summary>
    [Id(10)] public int[] Prompt { get; set; } = [];

    /// <summary>Beside <see cref="Tokens"/> when the request asked for log-probabilities.</summary>
    [Id(11)] public List<SampledLogProbs>? LogProbs { get; set; }
}
