namespace Grid.Cuda.Backend;

/// <summary>
/// How a decode step splits each token's KV length for attention_decode_partial_gN: one block per (token, KV head,
/// partition). A big batch has blocks enough with long partitions (at most the configured size); a small one would
/// leave most SMs idle (batch 1 with 8 KV heads and 256-token partitions of a 1,024-token context is 32 blocks on 132
/// SMs), so it may take shorter partitions, down to <see cref="MinTokens"/>. Among the candidates it picks the one
/// with the least estimated time: waves of blocks (a wave being what the device holds at once) times the tokens a
/// block reads plus a fixed cost per block (set-up, partial outputs, their merge). Partitions stay multiples of the
/// KV block size, and the partial buffers (sized for the most tokens at the configured size) bound tokens x partitions.
/// </summary>
public static class DecodePartitions
{
    /// <summary>Shortest partition: below this the per-block set-up and the partial outputs outweigh the keys read.</summary>
    public const int MinTokens = 64;

    /// <summary>A block's fixed cost in KV tokens' worth of time (the query, the reductions, the partial outputs and their merge).</summary>
    public const int BlockOverheadTokens = 32;

    /// <param name="tokens">Decode tokens in the step (one per sequence).</param>
    /// <param name="maxContext">The longest KV length of the step (highest position + 1).</param>
    /// <param name="blocksPerWave">Blocks the device runs at once: the kernel's blocks per SM times the SMs.</param>
    /// <param name="maxPartitionTokens">The configured (longest) partition, a multiple of <paramref name="blockSize"/>.</param>
    /// <param name="capacity">Token-partitions the partial buffers hold (tokens x partitions at most).</param>
    /// <returns>Tokens per partition and partitions per token (grid z, and the partial buffers' stride).</returns>
    public static (int PartitionTokens, int Partitions) Choose(int tokens, int kvHeads, int maxContext, int blocksPerWave, int blockSize,
        int maxPartitionTokens, long capacity)
    {
        if (tokens < 1 || kvHeads < 1 || maxContext < 1 || blockSize < 1 || maxPartitionTokens < blockSize || maxPartitionTokens % blockSize != 0)
            throw new ArgumentException($"decode partitions: tokens {tokens}, KV heads {kvHeads}, context {maxContext}, block {blockSize}, longest partition {maxPartitionTokens}");
        var wave = Math.Max(1, blocksPerWave);
        var fewest = Ceil(maxContext, maxPartitionTokens);
        var shortest = Ceil(MinTokens, blockSize) * blockSize;
        var most = (int)Math.Max(fewest, Math.Min(Ceil(maxContext, shortest), capacity / tokens));
        var best = (PartitionTokens: maxPartitionTokens, Partitions: fewest, Cost: long.MaxValue);
        for (var p = fewest; p <= most; p++)
        {
            var size = Ceil(Ceil(maxContext, p), blockSize) * blockSize;
            var count = Ceil(maxContext, size);
            long waves = Ceil((long)tokens * kvHeads * count, wave);
            var cost = waves * (size + BlockOverheadTokens);
            if (cost < best.Cost) best = (size, count, cost);
        }
        return (best.PartitionTokens, best.Partitions);
    }

    private static int Ceil(long a, long b) => (int)((a + b - 1) / b);
}
