using Grid.Engine.KvCache;

namespace Grid.Grains;

/// <summary>
/// The engine's chained block hashes, computed outside the engine: a router hashes a prompt here and asks
/// the KV block grains under the same hashes the GPUs' block pools registered. Every GPU of a model must use
/// the block size the router assumes (the cluster has one <see cref="GridSiloOptions.BlockSize"/>).
/// </summary>
public static class BlockHashes
{
    /// <summary>The engine's model id for a model name (<see cref="Grid.Engine.Scheduling.EngineOptions.ModelId"/>); the same in every process.</summary>
    public static ulong ModelId(string model)
    {
        Span<int> chars = model.Length <= 256 ? stackalloc int[model.Length] : new int[model.Length];
        for (var i = 0; i < model.Length; i++) chars[i] = model[i];
        return BlockPool.Hash(0, chars);
    }

    /// <summary>
    /// The hashes of the full blocks the engine looks up in its prefix cache for these tokens: (n - 1) / size of
    /// them, since the engine leaves at least one token to compute. Block i chains from block i - 1, block 0
    /// from the model's root, as the scheduler registers and looks them up.
    /// </summary>
    public static ulong[] Prefix(string model, ReadOnlySpan<int> tokens, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        var hashes = new ulong[Math.Max(0, tokens.Length - 1) / blockSize];
        var parent = BlockPool.RootHashOf(ModelId(model));
        for (var i = 0; i < hashes.Length; i++)
            parent = hashes[i] = BlockPool.Hash(parent, tokens.Slice(i * blockSize, blockSize));
        return hashes;
    }
}
