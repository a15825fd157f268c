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

    /// <summary>
    /// The vocabulary the simulated tokens come from and the engine samples over; 0 means the model's.
    /// Step times always use the real model (its classifier included): a smaller vocabulary only
    /// spares the host the cost of writing and scanning 128k logits per simulated token, which is
    /// what makes hours of simulated serving run in a minute.
    /// </summary>
    public int SampledVocabulary { get; init; }

    public void Validate()
    {
        if (BlockSize < 1) throw new ArgumentException($"BlockSize must be at least 1 (got {BlockSize})");
        if (!(GpuMemoryUtilization > 0 && GpuMemoryUtilization <= 1))
            throw new ArgumentException($"GpuMemoryUtilization must be in (0, 1] (got {GpuMemoryUtilization})");
        if (MaxBatchTokens < 1) throw new ArgumentException($"MaxBatchTokens must be at least 1 (got {MaxBatchTokens})");
        if (SampledVocabulary is < 0 or (> 0 and < 4)) throw new ArgumentException($"SampledVocabulary must be 0 (the model's) or at least 4 (got {SampledVocabulary})");
        if (TensorParallel < 1) throw new ArgumentException($"TensorParallel must be at least 1 (got {TensorParallel})");
        ArgumentNullException.ThrowIfNull(Roofline);
        Roofline.Validate();
    }
}
