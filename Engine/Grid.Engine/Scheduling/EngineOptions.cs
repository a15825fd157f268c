namespace Grid.Engine.Scheduling;

public sealed record EngineOptions
{
    /// <summary>Tokens one step computes at most; 0 means the backend's own limit.</summary>
    public int MaxBatchTokens { get; init; }

    /// <summary>Sequences running at once at most.</summary>
    public int MaxSequences { get; init; } = 64;

    /// <summary>Long prompts enter over several steps, beside running decodes; off, a prompt enters whole.</summary>
    public bool ChunkedPrefill { get; init; } = true;

    /// <summary>Full blocks are hashed and shared between requests with the same prefix.</summary>
    public bool PrefixCaching { get; init; } = true;

    /// <summary>Keep the block pool's stored/removed events for <see cref="EngineCore.DrainKvEvents"/> (the grid's KV index reads them).</summary>
    public bool KvEvents { get; init; }

    /// <summary>Distinguishes models in block hashes, so two models never share a block.</summary>
    public ulong ModelId { get; init; }

    public void Validate()
    {
        if (MaxBatchTokens < 0) throw new ArgumentException($"MaxBatchTokens must be 0 (the backend's) or more (got {MaxBatchTokens})");
        if (MaxSequences is < 1 or > 4096) throw new ArgumentException($"MaxSequences must be 1 to 4096 (got {MaxSequences})");
    }
}
