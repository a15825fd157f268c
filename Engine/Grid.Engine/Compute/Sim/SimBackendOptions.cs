namespace Grid.Engine.Compute.Sim;

public sealed record SimBackendOptions
{
    /// <summary>Tokens per KV block.</summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>Fraction of device memory for weights and KV cache together (vLLM's gpu_memory_utilization).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.9;

    /// <summary>The most tokens one forward takes.</summary>
    public int MaxBatchTokens { get; init; } = 8192;

    /// <summary>GPUs that share the model, each holding 1/N of its weights and KV cache.</summary>
    public int TensorParallel { get; init; } = 1;

    /// <summary>Picks which token follows which: same seed, same tokens.</summary>
    public ulong Seed { get; init; }

    public RooflineOptions Roofline { get; init; } = new();

    public void Validate()
    {
        if (BlockSize < 1) throw new ArgumentException($"BlockSize must be at least 1 (got {BlockSize})");
        if (!(GpuMemoryUtilization > 0 && GpuMemoryUtilization <= 1))
            throw new ArgumentException($"GpuMemoryUtilization must be in (0, 1] (got {GpuMemoryUtilization})");
        if (MaxBatchTokens < 1) throw new ArgumentException($"MaxBatchTokens must be at least 1 (got {MaxBatchTokens})");
        if (TensorParallel < 1) throw new ArgumentException($"TensorParallel must be at least 1 (got {TensorParallel})");
        ArgumentNullException.ThrowIfNull(Roofline);
        Roofline.Validate();
    }
}
