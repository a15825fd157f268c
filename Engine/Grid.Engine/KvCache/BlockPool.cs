namespace Grid.Engine.KvCache;

/// <summary>
/// A fixed pool of KV blocks with prefix sharing: full blocks are registered under a chained content
/// hash, shared by reference count, and kept after their last release as a cache, evicted least
/// recently released first. All state is preallocated so the engine's step loop allocates nothing here.
/// Not thread-safe: the one engine thread that schedules steps owns it.
/// </summary>
public sealed partial class BlockPool
{
    private const int None = -1;

    private readonly int[] _refCount;
    private readonly bool[] _registered;
    private readonly ulong[] _hash;
    private readonly int[] _tokens;
    private readonly int[] _free;
    private int _freeTop;

    // Cached blocks form a doubly linked list, head = least recently released, so a Lookup hit
    // can unlink one in O(1) and eviction takes the head.
    private readonly int[] _prev;
    private readonly int[] _next;
    private int _lruHead = None;
    private int _lruTail = None;
    // Release order stamps, only so CheckInvariants can prove the list is in LRU order.
    private readonly long[] _releasedAt;
    private long _clock;

    private readonly Dictionary<ulong, int> _byHash;
    private readonly List<KvEvent> _events;

    public BlockPool(int blockCount, int blockSize, ulong modelId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        BlockCount = blockCount;
        BlockSize = blockSize;
        _refCount = new int[blockCount];
        _registered = new bool[blockCount];
        _hash = new ulong[blockCount];
        _tokens = new int[checked(blockCount * blockSize)];
        _prev = new int[blockCount];
        _next = new int[blockCount];
        _releasedAt = new long[blockCount];
        _free = new int[blockCount];
        // Lowest ids on top, so a fresh pool hands out 0, 1, 2, ...
        for (var b = 0; b < blockCount; b++) _free[b] = blockCount - 1 - b;
        _freeTop = blockCount;
        _byHash = new Dictionary<ulong, int>(blockCount);
        // Room for a few steps of events between drains without growing.
        _events = new List<KvEvent>(2 * blockCount);
        RootHash = RootHashOf(modelId);
    }

    public int BlockCount { get; }
    public int BlockSize { get; }
    public int FreeCount => _freeTop;
    public int CachedCount { get; private set; }
    public int UsedCount { get; private set; }
    public int AvailableCount => _freeTop + CachedCount;
    public ulong RootHash { get; }
    public long Evictions { get; private set; }

    /// <summary>
    /// The parent hash of a model's first block. Public so a router in another process can chain a
    /// prompt's block hashes exactly as this pool does; mixing the model in means two models'
    /// identical token prefixes never share a hash.
    /// </summary>
    public static ulong RootHashOf(ulong modelId) => Hash(modelId ^ 0x6A09E667F3BCC908UL, []);

    /// <summary>How many sequences reference the block; 0 when it is free or cached.</summary>
    public int RefCount(int block)
    {
        CheckRange(block);
        return _refCount[block];
    }

    /// <summary>Whether the block is registered under a hash (and so findable through Lookup).</summary>
    public bool IsRegistered(int block)
    {
        CheckRange(block);
        return _registered[block];
    }

    /// <summary>
    /// Chained content hash of a full block: FNV-1a 64 over the little-endian bytes of parent and each
    /// token id, then a SplitMix64 finalizer so nearby inputs spread over all bits. Defined byte by
    /// byte so every process, run and machine agrees, which the cluster-wide index depends on.
    /// </summary>
    public static ulong Hash(ulong parent, ReadOnlySpan<int> tokens)
    {
        const ulong prime = 0x100000001B3UL;
        var h = 0xCBF29CE484222325UL;
        for (var i = 0; i < 8; i++) h = (h ^ ((parent >> (8 * i)) & 0xFF)) * prime;
        foreach (var t in tokens)
        {
            var u = (uint)t;
            for (var i = 0; i < 4; i++) h = (h ^ ((u >> (8 * i)) & 0xFF)) * prime;
        }
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }

    public bool TryAllocate(out int block)
    {
        if (_freeTop > 0)
        {
            block = _free[--_freeTop];
        }
        else if (_lruHead != None)
        {
            block = _lruHead;
            Unlink(block);
            CachedCount--;
            Evict(block);
        }
        else
        {
            block = None;
            return false;
        }
        _refCount[block] = 1;
        UsedCount++;
        return true;
    }

    public void AddRef(int block)
    {
        CheckInUse(block);
        _refCount[block]++;
    }

    public void Release(int block)
    {
        CheckInUse(block);
        if (--_refCount[block] > 0) return;
        UsedCount--;
        if (_registered[block])
        {
            Append(block);
            CachedCount++;
        }
        else
        {
            _free[_freeTop++] = block;
        }
    }

    /// <summary>
    /// Drops every cached block (registered, referenced by no sequence) from the prefix cache, oldest first, and
    /// frees it; blocks in use stay. Each one records a Removed event, as an eviction does. Returns how many.
    /// </summary>
    public int EvictCached()
    {
        var n = 0;
        while (_lruHead != None)
        {
            var block = _lruHead;
            Unlink(block);
            CachedCount--;
            Evict(block);
            _free[_freeTop++] = block;
            n++;
        }
        return n;
    }

    /// <summary>
    /// Throws on a span that is not one full block: only full blocks are ever hashed, so a partial
    /// one here is a caller bug, not a miss.
    /// </summary>
    public int Lookup(ulong hash, ReadOnlySpan<int> tokens)
    {
        CheckTokenCount(tokens);
        // The ids are compared too: a 64-bit collision must not hand one prompt another's KV.
        if (!_byHash.TryGetValue(hash, out var block) || !TokensOf(block).SequenceEqual(tokens)) return None;
        if (_refCount[block] == 0)
        {
            Unlink(block);
            CachedCount--;
            UsedCount++;
        }
        _refCount[block]++;
        return block;
    }

    public void Register(int block, ulong hash, ReadOnlySpan<int> tokens)
    {
        CheckInUse(block);
        CheckTokenCount(tokens);
        if (_registered[block]) throw new InvalidOperationException($"block {block} is already registered");
        // First writer wins; the duplicate is plain private KV that frees when its sequence ends.
        if (!_byHash.TryAdd(hash, block)) return;
        _registered[block] = true;
        _hash[block] = hash;
        tokens.CopyTo(_tokens.AsSpan(block * BlockSize, BlockSize));
        if (RecordEvents) _events.Add(new KvEvent(KvEventKind.Stored, hash, block));
    }

    /// <summary>Whether Stored/Removed events are kept for <see cref="DrainEvents"/>; off, none pile up for a reader that never comes.</summary>
    public bool RecordEvents { get; set; } = true;

    public int DrainEvents(List<KvEvent> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var n = _events.Count;
        into.AddRange(_events);
        _events.Clear();
        return n;
    }

    private ReadOnlySpan<int> TokensOf(int block) => _tokens.AsSpan(block * BlockSize, BlockSize);

    private void Evict(int block)
    {
        var hash = _hash[block];
        _byHash.Remove(hash);
        _registered[block] = false;
        _hash[block] = 0;
        Evictions++;
        if (RecordEvents) _events.Add(new KvEvent(KvEventKind.Removed, hash, block));
    }

    private void Append(int block)
    {
        _releasedAt[block] = ++_clock;
        _prev[block] = _lruTail;
        _next[block] = None;
        if (_lruTail == None) _lruHead = block;
        else _next[_lruTail] = block;
        _lruTail = block;
    }

    private void Unlink(int block)
    {
        var p = _prev[block];
        var n = _next[block];
        if (p == None) _lruHead = n;
        else _next[p] = n;
        if (n == None) _lruTail = p;
        else _prev[n] = p;
        _prev[block] = _next[block] = None;
    }

    private void CheckRange(int block)
    {
        if ((uint)block >= (uint)BlockCount)
            throw new ArgumentOutOfRangeException(nameof(block), $"block {block} is outside the pool of {BlockCount}");
    }

    private void CheckInUse(int block)
    {
        CheckRange(block);
        // Touching a free or cached block would corrupt a block another sequence may be handed next.
        if (_refCount[block] == 0) throw new InvalidOperationException($"block {block} is not in use");
    }

    private void CheckTokenCount(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != BlockSize)
            throw new ArgumentException($"a block holds {BlockSize} tokens, got {tokens.Length}", nameof(tokens));
    }
}
