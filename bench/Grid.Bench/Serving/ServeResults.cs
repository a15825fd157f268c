namespace Grid.Bench.Serving;

/// <summary>Everything one <c>serve</c> invocation measured, as written to <c>--out</c>.</summary>
public sealed record ServeResults(string Backend, string Target, string Workload, int Seed)
{
    public List<ServeSummary> Runs { get; } = [];

    /// <summary>Named single figures: reference measurements and ratios (see bench/README.md).</summary>
    public Dictionary<string, double> Checks { get; } = [];
}
