using System.Text.Json.Serialization;

namespace Grid.Bench;

/// <summary>One line of the results: a workload on one model, both engines' tokens/s (medians, with spread).</summary>
public sealed record BenchRow(
    string Name,
    [property: JsonIgnore] Throughput? GridResult,
    [property: JsonIgnore] Throughput? LlamaCppResult,
    double? RooflineTokensPerSecond)
{
    public double? Grid => GridResult?.Median;
    public double? Llamacpp => LlamaCppResult?.Median;
    public double? Ratio => Grid is { } g && Llamacpp is { } l ? g / l : null;
    public double? GridMin => GridResult?.Min;
    public double? GridMax => GridResult?.Max;
    public double? LlamacppMin => LlamaCppResult?.Min;
    public double? LlamacppMax => LlamaCppResult?.Max;
    public int Discarded => (GridResult?.Discarded ?? 0) + (LlamaCppResult?.Discarded ?? 0);
    public bool Noisy => (GridResult?.Noisy ?? false) || (LlamaCppResult?.Noisy ?? false);
}
