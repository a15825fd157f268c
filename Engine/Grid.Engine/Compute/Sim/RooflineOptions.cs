namespace Grid.Engine.Compute.Sim;

/// <summary>
/// How far a step falls short of the GPU's peaks. The efficiencies default to 1.0 so a step's time
/// is plain arithmetic on datasheet numbers; a calibrated plan lowers them to measured values
/// (e.g. ~0.5-0.6 of peak FLOP/s for large matmuls, ~0.8 of peak bandwidth for decode).
/// </summary>
public sealed record RooflineOptions
{
    /// <summary>Fraction of peak FLOP/s the step's matmuls and attention reach (model FLOPs utilisation).</summary>
    public double ComputeEfficiency { get; init; } = 1.0;

    /// <summary>Fraction of peak memory bandwidth the step's reads and writes reach.</summary>
    public double BandwidthEfficiency { get; init; } = 1.0;

    /// <summary>Fixed cost of a step however small: kernel launches, host-side scheduling.</summary>
    public TimeSpan StepOverhead { get; init; } = TimeSpan.FromMicroseconds(30);

    /// <summary>Fixed cost of one tensor-parallel all-reduce (synchronisation, small-message latency).</summary>
    public TimeSpan AllReduceLatency { get; init; } = TimeSpan.FromMicroseconds(5);

    public void Validate()
    {
        if (!(ComputeEfficiency > 0 && ComputeEfficiency <= 1))
            throw new ArgumentException($"ComputeEfficiency must be in (0, 1] (got {ComputeEfficiency})");
        if (!(BandwidthEfficiency > 0 && BandwidthEfficiency <= 1))
            throw new ArgumentException($"BandwidthEfficiency must be in (0, 1] (got {BandwidthEfficiency})");
        if (StepOverhead < TimeSpan.Zero) throw new ArgumentException($"StepOverhead must not be negative (got {StepOverhead})");
        if (AllReduceLatency < TimeSpan.Zero) throw new ArgumentException($"AllReduceLatency must not be negative (got {AllReduceLatency})");
    }
}
