namespace Grid.Engine.Scheduling;

/// <summary>
/// A histogram with fixed bucket bounds in seconds, as Prometheus and OpenTelemetry expect, plus a
/// bounded window of recent samples for percentiles.
/// </summary>
public sealed class Histogram
{
    private static readonly double[] DefaultBounds =
        [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

    private readonly double[] _recent;
    private long _next;
    private readonly object _lock = new();

    public Histogram(int window = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        Bounds = DefaultBounds;
        BucketCounts = new long[Bounds.Count + 1];
        _recent = new double[window];
    }

    public IReadOnlyList<double> Bounds { get; }

    /// <summary>Counts per bucket; the last counts values above every bound.</summary>
    public long[] BucketCounts { get; }
    public long Count { get; private set; }
    public double Sum { get; private set; }

    public void Record(double seconds)
    {
        lock (_lock)
        {
            var b = 0;
            while (b < Bounds.Count && seconds > Bounds[b]) b++;
            BucketCounts[b]++;
            Count++;
            Sum += seconds;
            _recent[(int)(_next++ % _recent.Length)] = seconds;
        }
    }

    /// <summary>
    /// The <paramref name="index"/>-th sample ever recorded (0 first), while it is still among the recent ones: lets a
    /// reader on the recording thread pass each new sample on (to an OpenTelemetry histogram) without copying.
    /// </summary>
    public bool TryGetSample(long index, out double seconds)
    {
        lock (_lock)
        {
            if (index < 0 || index >= _next || index < _next - _recent.Length)
            {
                seconds = 0;
                return false;
            }
            seconds = _recent[(int)(index % _recent.Length)];
            return true;
        }
    }

    /// <summary>The p-th percentile (0..100) of the recent samples, or NaN with none.</summary>
    public double Percentile(double p)
    {
        double[] copy;
        lock (_lock) copy = _recent.AsSpan(0, (int)Math.Min(_next, _recent.Length)).ToArray();
        if (copy.Length == 0) return double.NaN;
        Array.Sort(copy);
        var rank = Math.Clamp((int)Math.Ceiling(p / 100 * copy.Length) - 1, 0, copy.Length - 1);
        return copy[rank];
    }
}
