namespace Grid.Bench.Serving;

/// <summary>
/// Requests that share one long system prompt and differ in a short question: 20-60 question tokens and
/// 32-64 output tokens (uniform), Poisson arrivals. What prefix caching should make cheap.
/// </summary>
public static class SharedPrefixWorkload
{
    public const int DefaultPrefix = 1000;
    public const int MinQuestion = 20, MaxQuestion = 60;
    public const int MinOutput = 32, MaxOutput = 64;

    /// <summary>The prefix actually used: <paramref name="wanted"/>, shortened when a context could not hold it with the longest question and answer.</summary>
    public static int PrefixLength(int wanted, int context) => Math.Max(1, Math.Min(wanted, context - MaxQuestion - MaxOutput));

    public static IReadOnlyList<WorkloadRequest> Create(int count, double rate, int context, int vocab, int seed, int prefixTokens = DefaultPrefix)
    {
        var random = new Random(seed);
        var arrivals = Arrivals.Poisson(count, rate, seed + 1);
        var prefix = ShareGptWorkload.RandomTokens(random, PrefixLength(prefixTokens, context), vocab);
        var requests = new WorkloadRequest[count];
        for (var i = 0; i < count; i++)
        {
            var question = ShareGptWorkload.RandomTokens(random, random.Next(MinQuestion, MaxQuestion + 1), vocab);
            var output = random.Next(MinOutput, MaxOutput + 1);
            requests[i] = new WorkloadRequest(i, arrivals[i], [.. prefix, .. question], output);
        }
        return requests;
    }
}
