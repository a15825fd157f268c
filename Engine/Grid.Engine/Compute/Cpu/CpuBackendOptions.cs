namespace Grid.Engine.Compute.Cpu;

public sealed record CpuBackendOptions
{
    /// <summary>KV blocks in the pool.</summary>
    public int BlockCount { get; init; } = 256;

    public int BlockSize { get; init; } = 16;

    /// <summary>The most tokens one forward takes; longer prompts are fed in chunks.</summary>
    public int MaxBatchTokens { get; init; } = 512;

    /// <summary>Worker threads; 0 means one per core.</summary>
    public int Threads { get; init; }

    /// <summary>The matrix kernels' instruction set; Auto takes the best this processor has.</summary>
    public CpuKernels Kernels { get; init; }

    public void Validate()
    {
        if (BlockCount < 1) throw new ArgumentException($"BlockCount must be at least 1 (got {BlockCount})");
        if (BlockSize < 1) throw new ArgumentException($"BlockSize must be at least 1 (got {BlockSize})");
        if (MaxBatchTokens < 1) throw new ArgumentException($"MaxBatchTokens must be at least 1 (got {MaxBatchTokens})");
        if (Threads < 0) throw new ArgumentException($"Threads must be 0 (one per core) or more (got {Threads})");
        CpuKernelSupport.Resolve(Kernels);
    }
}
