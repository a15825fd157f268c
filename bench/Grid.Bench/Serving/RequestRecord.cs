namespace Grid.Bench.Serving;

/// <summary>What happened to one request, in seconds from the start of its run.</summary>
public sealed record RequestRecord(double Arrival, double FirstToken, double Finish, int PromptTokens, int OutputTokens, int CachedTokens)
{
    public double Ttft => FirstToken - Arrival;

    /// <summary>Mean time per output token after the first; 0 for a one-token output, which has no such time.</summary>
    public double Tpot => OutputTokens > 1 ? (Finish - FirstToken) / (OutputTokens - 1) : 0;
}
