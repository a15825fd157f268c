namespace Grid.Bench.Serving;

/// <summary>Percentiles as numpy's default (linear interpolation between closest ranks), which vLLM's serving benchmark reports.</summary>
public static class Percentiles
{
    /// <summary>The p-th percentile (0..100) of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Of(IEnumerable<double> values, double p)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0) return double.NaN;
        if (p < 0 || p > 100) throw new ArgumentOutOfRangeException(nameof(p), p, "a percentile is between 0 and 100");
        Array.Sort(sorted);
        var h = (sorted.Length - 1) * p / 100;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
