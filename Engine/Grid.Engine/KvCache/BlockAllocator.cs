namespace Grid.Engine.KvCache;

/// <summary>Hands out KV block ids from a fixed pool: the plain free list a single generator needs.</summary>
public sealed class BlockAllocator
{
    private readonly Stack<int> _free;

    public BlockAllocator(int blockCount)
    {
        _free = new Stack<int>(blockCount);
        for (var b = blockCount - 1; b >= 0; b--) _free.Push(b);
        BlockCount = blockCount;
    }

    public int BlockCount { get; }
    public int FreeCount => _free.Count;

    public bool TryAllocate(out int block) => _free.TryPop(out block);

    public void Free(int block)
    {
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block));
        _free.Push(block);
    }
}
