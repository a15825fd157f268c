namespace Grid.Bench.Serving;

/// <summary>The figures one run is reported by; times in milliseconds, rates per second of makespan.</summary>
public sealed record ServeSummary
{
    public required string Name { get; init; }
    /// <summary>The workload's request rate (req/s; infinity: all at t = 0; NaN: a trace).</summary>
    public required double Rate { get; init; }
    public required int Requests { get; init; }
    public required double MakespanSeconds { get; init; }
    public required double WallSeconds { get; init; }
    public required double RequestThroughput { get; init; }
    public required double OutputTokensPerSecond { get; init; }
    public required double TotalTokensPerSecond { get; init; }
    public required double[] TtftMs { get; init; }
    public required double[] TpotMs { get; init; }
    public required double[] ItlMs { get; init; }
    public required double Goodput { get; init; }
    public required double GoodputShare { get; init; }
    public required double SloTtftMs { get; init; }
    public required double SloTpotMs { get; init; }
    public required long PromptTokens { get; init; }
    public required long CachedPromptTokens { get; init; }
    public required long OutputTokens { get; init; }
    public required long Preemptions { get; init; }

    /// <summary>The percentiles in <see cref="TtftMs"/>, <see cref="TpotMs"/> and <see cref="ItlMs"/>, in that order.</summary>
    public static readonly double[] Points = [50, 90, 99];

    public static ServeSummary From(string name, double rate, ServeRun run, Slo slo)
    {
        var r = run.Requests;
        var makespan = Math.Max(run.Makespan, 1e-9);
        long prompt = r.Sum(x => (long)x.PromptTokens), output = r.Sum(x => (long)x.OutputTokens);
        var good = r.Count(slo.Met);
        double[] Ms(IEnumerable<double> seconds)
        {
            var ms = seconds.Select(s => s * 1000).ToArray();
            return Points.Select(p => Percentiles.Of(ms, p)).ToArray();
        }
        return new ServeSummary
        {
            Name = name,
            Rate = rate,
            Requests = r.Count,
            MakespanSeconds = run.Makespan,
            WallSeconds = run.WallSeconds,
            RequestThroughput = r.Count / makespan,
            OutputTokensPerSecond = output / makespan,
            TotalTokensPerSecond = (prompt + output) / makespan,
            TtftMs = Ms(r.Select(x => x.Ttft)),
            TpotMs = Ms(r.Where(x => x.OutputTokens > 1).Select(x => x.Tpot)),
            ItlMs = Ms(run.InterTokenLatencies),
            Goodput = good / makespan,
            GoodputShare = r.Count == 0 ? 0 : good / (double)r.Count,
            SloTtftMs = slo.TtftMs,
            SloTpotMs = slo.TpotMs,
            PromptTokens = prompt,
            CachedPromptTokens = r.Sum(x => (long)x.CachedTokens),
            OutputTokens = output,
            Preemptions = run.Preemptions,
        };
    }
}
