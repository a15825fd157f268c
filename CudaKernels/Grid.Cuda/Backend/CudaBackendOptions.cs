namespace Grid.Cuda.Backend;

/// <summary>How a <see cref="CudaBackend"/> sizes itself on its device.</summary>
public sealed record CudaBackendOptions
{
    public int DeviceOrdinal { get; init; }

    /// <summary>KV blocks in the pool; 0 sizes the pool from the device memory left after weights and activations.</summary>
    public int BlockCount { get; init; }

    public int BlockSize { get; init; } = 16;
    public int MaxBatchTokens { get; init; } = 512;

    /// <summary>The most sequences one step holds (decode batch size).</summary>
    public int MaxSequences { get; init; } = 256;

    /// <summary>Share of the free device memory the KV pool may take when <see cref="BlockCount"/> is 0.</summary>
    public double KvMemoryFraction { get; init; } = 0.85;

    /// <summary>
    /// Nano-batches per step (NanoFlow): 1 turns pipelining off; 0 picks the count by timing 1, 2 and 4 at
    /// start-up on a full decode batch.
    /// </summary>
    public int NanoBatches { get; init; } = 1;

    /// <summary>
    /// Longest partition, in KV tokens, of the split decode attention (a multiple of the block size); a step with few
    /// tokens takes shorter ones (<see cref="DecodePartitions"/>) so its blocks fill the device.
    /// </summary>
    public int DecodePartitionTokens { get; init; } = 256;

    /// <summary>Where compiled kernels (CUBIN per architecture) are cached between runs; null keeps them in memory only.</summary>
    public string? KernelCacheDirectory { get; init; }

    public void Validate()
    {
        void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }

        Require(DeviceOrdinal >= 0, $"DeviceOrdinal must be 0 or more (got {DeviceOrdinal})");
        Require(BlockCount >= 0, $"BlockCount must be 0 (size from memory) or more (got {BlockCount})");
        Require(BlockSize is > 0 and <= 256, $"BlockSize must be 1 to 256 (got {BlockSize})");
        Require(MaxBatchTokens >= 1 && MaxSequences >= 1, "MaxBatchTokens and MaxSequences must be at least 1");
        Require(KvMemoryFraction is > 0 and < 1, $"KvMemoryFraction must be between 0 and 1 (got {KvMemoryFraction})");
        Require(NanoBatches is >= 0 and <= 8, $"NanoBatches must be 0 (search) to 8 (got {NanoBatches})");
        Require(DecodePartitionTokens >= BlockSize && DecodePartitionTokens % BlockSize == 0,
            $"DecodePartitionTokens must be a multiple of BlockSize {BlockSize} (got {DecodePartitionTokens})");
    }
}
