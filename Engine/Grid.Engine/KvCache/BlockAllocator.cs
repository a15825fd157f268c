namespace Grid.Engine.KvCache;

/// <summary>Hands out KV block ids from a fixed pool: the plain free list a single generator needs.</summary>
public sealed class BlockAllocator
{
    private readonly Stack<int> _free;
    private readonly bool[] _allocated;

    public BlockAllocator(int blockCount)
    {
        _free = new Stack<int>(blockCount);
        for (var b = blockCount - 1; b >= 0; b--) _free.Push(b);
        BlockCount = blockCount;
        _allocated = new bool[blockCount];
    }

    public int BlockCount { get; }
    public int FreeCount => _free.Count;

    public bool TryAllocate(out int block)
    {
        if (!_free.TryPop(out block)) return false;
        _allocated[block] = true;
        return true;
    }

    public void Free(int block)
    {
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block), $"block {block} is outside the pool");
        // A second free would hand the block to two sequences at once.
        if (!_allocated[block]) throw new InvalidOperationException($"block {block} is not allocated");
        _allocated[block] = false;
        _free.Push(block);
    }
}
