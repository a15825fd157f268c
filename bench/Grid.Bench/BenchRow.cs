using System.Text.Json.Serialization;

namespace Grid.Bench;

/// <summary>One line of the results: a workload on one model, both engines' tokens/s (medians, with spread).</summary>
public sealed record BenchRow(
    string Name,
    [property: JsonIgnore] Throughput? GridResult,
    [property: JsonIgnore] Throughput? LlamaCppResult,
    [property: JsonIgnore] double? RooflineTokensPerSecond)
{
    // Timings vary by percents; more digits in the JSON would only be noise.
    static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    public double? Grid => Round(GridResult?.Median);
    public double? Llamacpp => Round(LlamaCppResult?.Median);
    public double? Ratio => GridResult is { } g && LlamaCppResult is { } l ? Math.Round(g.Median / l.Median, 3) : null;
    public double? GridMin => Round(GridResult?.Min);
    public double? GridMax => Round(GridResult?.Max);
    public double? LlamacppMin => Round(LlamaCppResult?.Min);
    public double? LlamacppMax => Round(LlamaCppResult?.Max);
    public int Discarded => (GridResult?.Discarded ?? 0) + (LlamaCppResult?.Discarded ?? 0);
    /// <summary>decode-1 only: bandwidth / weight bytes per token, the memory-bound ceiling.</summary>
    public double? Roofline => Round(RooflineTokensPerSecond);
    public bool Noisy => (GridResult?.Noisy ?? false) || (LlamaCppResult?.Noisy ?? false);
}
