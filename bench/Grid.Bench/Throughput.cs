namespace Grid.Bench;

/// <summary>Tokens per second over the kept repetitions of one measurement, and how many noisy ones were dropped.</summary>
public sealed record Throughput(double Min, double Median, double Max, int Discarded, bool Noisy)
{
    public static Throughput From(IReadOnlyList<double> tokensPerSecond, int discarded, bool noisy)
    {
        var sorted = tokensPerSecond.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Throughput(sorted[0], median, sorted[^1], discarded, noisy);
    }

    public override string ToString() => $"{Min:F1} / {Median:F1} / {Max:F1}";
}
