namespace Grid.Bench.Serving;

/// <summary>
/// Synthetic requests shaped like ShareGPT conversations: lognormal prompt and output lengths with long right
/// tails, Poisson arrivals, random prompt token ids. Lengths and prompts come from one seeded stream and
/// arrivals from another, so every rate serves the same requests.
/// </summary>
public static class ShareGptWorkload
{
    /// <summary>Median 150, mean ~247, p90 ~540, p99 ~1,540 tokens before clipping.</summary>
    public static readonly LengthDistribution Prompt = new(150, 1.0);

    /// <summary>Median 150, mean ~225, p90 ~475, p99 ~1,210 tokens before clipping.</summary>
    public static readonly LengthDistribution Output = new(150, 0.9);

    public const int MinPrompt = 4;

    /// <summary>Two tokens at least, so every request has a time per output token.</summary>
    public const int MinOutput = 2;

    /// <summary>The lowest token id drawn: 0..2 are UNK, BOS and EOS in Llama vocabularies.</summary>
    public const int FirstTokenId = 3;

    public static IReadOnlyList<WorkloadRequest> Create(int count, double rate, int context, int vocab, int seed)
    {
        if (context < MinPrompt + MinOutput) throw new ArgumentException($"a context of {context} tokens is too short for this workload");
        var random = new Random(seed);
        var arrivals = Arrivals.Poisson(count, rate, seed + 1);
        var requests = new WorkloadRequest[count];
        for (var i = 0; i < count; i++)
        {
            // Clip the prompt first, then give the output what room is left, as a server with a context limit would.
            var prompt = Math.Clamp(Prompt.Draw(random), MinPrompt, context - MinOutput);
            var output = Math.Clamp(Output.Draw(random), MinOutput, context - prompt);
            requests[i] = new WorkloadRequest(i, arrivals[i], RandomTokens(random, prompt, vocab), output);
        }
        return requests;
    }

    public static int[] RandomTokens(Random random, int count, int vocab)
    {
        var tokens = new int[count];
        for (var i = 0; i < count; i++) tokens[i] = random.Next(FirstTokenId, vocab);
        return tokens;
    }
}
