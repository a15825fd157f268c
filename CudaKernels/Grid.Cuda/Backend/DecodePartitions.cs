namespace Grid.Cuda.Backend;

/// <summary>
/// How a decode step splits each token's KV length for attention_decode_partial_gN: one block per (token, KV head,
/// partition). A big batch has blocks enough with long partitions (at most the configured size); a small one would
/// leave most SMs idle (batch 1 with 8 KV heads and 256-token partitions of a 1,024-token context is 32 blocks on 132
/// SMs), so it takes shorter partitions, down to <see cref="MinTokens"/>, until the grid covers the device about
/// <see cref="BlocksPerMultiprocessor"/> times. Partitions stay multiples of the KV block size, and the partial
/// buffers (sized for the most tokens at the configured size) bound tokens x partitions.
/// </summary>
public static class DecodePartitions
{
    /// <summary>Shortest partition: below this the per-block set-up and the partial outputs outweigh the keys read.</summary>
    public const int MinTokens = 64;

    /// <summary>Blocks per SM the grid should reach (the 4-query-head kernel fits four at a time).</summary>
    public const int BlocksPerMultiprocessor = 4;

    /// <param name="tokens">Decode tokens in the step (one per sequence).</param>
    /// <param name="maxContext">The longest KV length of the step (highest position + 1).</param>
    /// <param name="maxPartitionTokens">The configured (longest) partition, a multiple of <paramref name="blockSize"/>.</param>
    /// <param name="capacity">Token-partitions the partial buffers hold (tokens x partitions at most).</param>
    /// <returns>Tokens per partition and partitions per token (grid z, and the partial buffers' stride).</returns>
    public static (int PartitionTokens, int Partitions) Choose(int tokens, int kvHeads, int maxContext, int multiprocessors, int blockSize,
        int maxPartitionTokens, long capacity)
    {
        if (tokens < 1 || kvHeads < 1 || maxContext < 1 || blockSize < 1 || maxPartitionTokens < blockSize || maxPartitionTokens % blockSize != 0)
            throw new ArgumentException($"decode partitions: tokens {tokens}, KV heads {kvHeads}, context {maxContext}, block {blockSize}, longest partition {maxPartitionTokens}");
        var fewest = Ceil(maxContext, maxPartitionTokens);
        var wanted = Ceil((long)BlocksPerMultiprocessor * Math.Max(1, multiprocessors), (long)tokens * kvHeads);
        var shortest = Math.Max(blockSize, Ceil(MinTokens, blockSize) * blockSize);
        var most = (int)Math.Min(Math.Max(1, Ceil(maxContext, shortest)), capacity / tokens);
        var partitions = Math.Max(fewest, Math.Min(wanted, most));
        var partitionTokens = Ceil(Ceil(maxContext, partitions), blockSize) * blockSize;
        return (partitionTokens, Ceil(maxContext, partitionTokens));
    }

    private static int Ceil(long a, long b) => (int)((a + b - 1) / b);
}
