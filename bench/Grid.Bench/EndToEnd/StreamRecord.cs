namespace Grid.Bench.EndToEnd;

/// <summary>One request of an end-to-end run: seconds from the run's start to its send, first token and end, and its token counts.</summary>
public sealed record StreamRecord(double Sent, double FirstToken, double Finished, int PromptTokens, int OutputTokens)
{
    public double Ttft => FirstToken - Sent;
    public double Tpot => OutputTokens > 1 ? (Finished - FirstToken) / (OutputTokens - 1) : 0;
}
