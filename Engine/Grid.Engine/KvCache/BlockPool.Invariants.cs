namespace Grid.Engine.KvCache;

public sealed partial class BlockPool
{
    private const byte InFree = 1, InCache = 2;

    /// <summary>
    /// Walks every structure and throws InvalidOperationException naming the first thing wrong.
    /// O(BlockCount) and allocating: for tests and debug checks, not the step loop.
    /// </summary>
    public void CheckInvariants()
    {
        var seen = new byte[BlockCount];
        CheckFreeStack(seen);
        var cached = CheckLru(seen);

        var used = 0;
        var registered = 0;
        for (var b = 0; b < BlockCount; b++)
        {
            var rc = _refCount[b];
            if (rc < 0) Fail($"block {b} has refcount {rc}");
            if (_registered[b]) registered++;
            if (rc > 0)
            {
                used++;
                if (seen[b] != 0) Fail($"block {b} has refcount {rc} but is also {(seen[b] == InFree ? "free" : "cached")}");
                continue;
            }
            if (seen[b] == 0)
                Fail(_registered[b] ? $"block {b} is registered with refcount 0 but not cached" : $"block {b} leaked: not free, cached or used");
        }

        if (_freeTop + cached + used != BlockCount) Fail($"free {_freeTop} + cached {cached} + used {used} != {BlockCount}");
        if (cached != CachedCount) Fail($"CachedCount {CachedCount} but {cached} blocks are cached");
        if (used != UsedCount) Fail($"UsedCount {UsedCount} but {used} blocks are used");

        foreach (var (hash, b) in _byHash)
        {
            if ((uint)b >= (uint)BlockCount) Fail($"hash {hash:X16} maps to block {b}, outside the pool");
            if (!_registered[b]) Fail($"hash {hash:X16} maps to unregistered block {b}");
            if (_hash[b] != hash) Fail($"hash {hash:X16} maps to block {b}, which stores hash {_hash[b]:X16}");
        }
        if (_byHash.Count != registered) Fail($"{registered} registered blocks but {_byHash.Count} hash entries");
    }

    private void CheckFreeStack(byte[] seen)
    {
        if (_freeTop < 0 || _freeTop > BlockCount) Fail($"free stack depth {_freeTop}");
        for (var i = 0; i < _freeTop; i++)
        {
            var b = _free[i];
            if ((uint)b >= (uint)BlockCount) Fail($"free stack holds {b}, outside the pool");
            if (seen[b] != 0) Fail($"block {b} is on the free stack twice");
            seen[b] = InFree;
            if (_refCount[b] != 0) Fail($"free block {b} has refcount {_refCount[b]}");
            if (_registered[b]) Fail($"free block {b} is registered");
        }
    }

    private int CheckLru(byte[] seen)
    {
        var count = 0;
        var prev = None;
        long lastStamp = 0;
        for (var b = _lruHead; b != None; prev = b, b = _next[b])
        {
            if ((uint)b >= (uint)BlockCount) Fail($"cached list links to {b}, outside the pool");
            if (seen[b] == InFree) Fail($"block {b} is both free and cached");
            if (seen[b] == InCache) Fail($"cached list revisits block {b}: a cycle");
            seen[b] = InCache;
            if (_prev[b] != prev) Fail($"cached block {b} links back to {_prev[b]}, expected {prev}");
            if (_refCount[b] != 0) Fail($"cached block {b} has refcount {_refCount[b]}");
            if (!_registered[b]) Fail($"cached block {b} is not registered");
            if (_releasedAt[b] <= lastStamp) Fail($"cached block {b} is out of LRU order");
            lastStamp = _releasedAt[b];
            count++;
        }
        if (_lruTail != prev) Fail($"cached list tail is {_lruTail}, the walk ended at {prev}");
        return count;
    }

    private static void Fail(string what) => throw new InvalidOperationException($"BlockPool invariant broken: {what}");
}
