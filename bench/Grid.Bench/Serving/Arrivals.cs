namespace Grid.Bench.Serving;

/// <summary>Poisson arrival times: exponential gaps with mean 1/rate; an infinite rate puts every request at t = 0.</summary>
public static class Arrivals
{
    /// <summary>
    /// Draws unit-rate gaps and scales them by 1/rate, so one seed gives the same request order and relative
    /// spacing at every rate, and runs at different rates differ only in how fast the requests come.
    /// </summary>
    public static double[] Poisson(int count, double rate, int seed)
    {
        if (!(rate > 0)) throw new ArgumentException($"the request rate must be positive (got {rate})");
        var times = new double[count];
        if (double.IsPositiveInfinity(rate)) return times;
        var random = new Random(seed);
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += -Math.Log(1.0 - random.NextDouble()) / rate;
            times[i] = t;
        }
        return times;
    }
}
