namespace Grid.Engine.Compute.Sim;

/// <summary>
/// What one step costs under the roofline model. FLOPs count the whole model's work (all GPUs
/// together); bytes are what each GPU moves, since under tensor parallelism every GPU streams its own
/// slice at the same time.
/// </summary>
public readonly record struct StepCost(
    long MatmulFlops,
    long ClassifierFlops,
    long AttentionFlops,
    long WeightBytes,
    long KvReadBytes,
    long KvWriteBytes,
    double ComputeSeconds,
    double MemorySeconds,
    double AllReduceSeconds,
    double OverheadSeconds)
{
    public long Flops => MatmulFlops + ClassifierFlops + AttentionFlops;

    /// <summary>Bytes each GPU reads and writes in the step.</summary>
    public long Bytes => WeightBytes + KvReadBytes + KvWriteBytes;

    /// <summary>Compute and memory traffic overlap; all-reduces and the fixed overhead do not.</summary>
    public double Seconds => Math.Max(ComputeSeconds, MemorySeconds) + AllReduceSeconds + OverheadSeconds;

    /// <summary><see cref="Seconds"/> rounded to the nearest 100 ns tick.</summary>
    public TimeSpan Duration => new((long)Math.Round(Seconds * TimeSpan.TicksPerSecond));

    public bool IsComputeBound => ComputeSeconds > MemorySeconds;
}
