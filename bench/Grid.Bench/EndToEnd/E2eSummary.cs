using Grid.Bench.Serving;

namespace Grid.Bench.EndToEnd;

/// <summary>One path's figures: tokens per second over the makespan, and TTFT/TPOT percentiles in milliseconds.</summary>
public sealed record E2eSummary(string Path, int Requests, double Makespan, double OutputTokensPerSecond, double TotalTokensPerSecond,
    double TtftP50Ms, double TtftP90Ms, double TpotP50Ms)
{
    public static E2eSummary From(string path, IReadOnlyList<StreamRecord> records)
    {
        var makespan = records.Max(r => r.Finished) - records.Min(r => r.Sent);
        var output = records.Sum(r => (long)r.OutputTokens);
        var prompt = records.Sum(r => (long)r.PromptTokens);
        return new E2eSummary(path, records.Count, makespan, output / makespan, (output + prompt) / makespan,
            Percentiles.Of(records.Select(r => r.Ttft * 1000), 50), Percentiles.Of(records.Select(r => r.Ttft * 1000), 90),
            Percentiles.Of(records.Select(r => r.Tpot * 1000), 50));
    }
}
