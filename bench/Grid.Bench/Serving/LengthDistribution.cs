namespace Grid.Bench.Serving;

/// <summary>A lognormal token-length distribution given by its median and the standard deviation of its log.</summary>
public sealed record LengthDistribution(double Median, double Sigma)
{
    public int Draw(Random random) => (int)Math.Round(Math.Exp(Math.Log(Median) + Sigma * StandardNormal(random)));

    /// <summary>Box-Muller; one of the pair is thrown away, which keeps each draw independent of call order.</summary>
    public static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
