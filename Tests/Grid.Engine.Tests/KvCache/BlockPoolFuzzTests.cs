using Grid.Engine.KvCache;

namespace Grid.Engine.Tests.KvCache;

/// <summary>
/// Drives a BlockPool the way a scheduler does, against a model of which blocks each sequence holds
/// and what they contain, checking every structure after every operation.
/// </summary>
public sealed class BlockPoolFuzzTests
{
    private const int BlockSize = 4;
    private const int BlockCount = 48;
    private const int Operations = 6000;

    private sealed class Seq
    {
        public readonly List<int> Tokens = [];
        public readonly List<int> Blocks = [];
        public readonly List<ulong> Hashes = []; // one per full block
    }

    private readonly Random _rng = new(20261127);
    private readonly BlockPool _pool = new(BlockCount, BlockSize, modelId: 3);
    private readonly List<Seq> _live = [];
    private readonly int[]?[] _content = new int[BlockCount][]; // what a full block was filled with
    private readonly HashSet<ulong> _announced = [];
    private readonly List<KvEvent> _events = [];
    private int _hits;

    [Fact]
    public void Random_sequences_keep_every_invariant()
    {
        for (var op = 0; op < Operations; op++)
        {
            var roll = _rng.Next(100);
            if (_live.Count == 0 || roll < 25) Start();
            else if (roll < 70) Grow(Pick());
            else if (roll < 78) Fork(Pick());
            else if (roll < 92) Finish(Pick());
            else Preempt(Pick());
            _pool.CheckInvariants();
            CheckRefCounts();
            if (op % 16 == 0) ApplyEvents();
        }

        while (_live.Count > 0) Finish(_live[^1]);
        _pool.CheckInvariants();
        ApplyEvents();
        _pool.UsedCount.Should().Be(0);
        (_pool.FreeCount + _pool.CachedCount).Should().Be(BlockCount);
        _announced.Should().HaveCount(_pool.CachedCount, "every cached block was announced and not yet removed");
        _hits.Should().BeGreaterThan(100, "prompts share prefixes, so the cache must be hit");
        _pool.Evictions.Should().BeGreaterThan(0, "the pool is small enough to evict");
    }

    private Seq Pick() => _live[_rng.Next(_live.Count)];

    private void Start()
    {
        var seq = new Seq();
        // Two token values make prefix hits common; the length spans partial and several full blocks.
        var length = _rng.Next(1, 6 * BlockSize);
        for (var i = 0; i < length; i++) seq.Tokens.Add(_rng.Next(2));
        _live.Add(seq);

        var parent = _pool.RootHash;
        var tokens = seq.Tokens.ToArray();
        for (var start = 0; start + BlockSize <= tokens.Length; start += BlockSize)
        {
            var chunk = tokens.AsSpan(start, BlockSize);
            var hash = BlockPool.Hash(parent, chunk);
            var b = _pool.Lookup(hash, chunk);
            if (b < 0) break;
            _content[b].Should().Equal(chunk.ToArray(), "a hit must hand back a block filled with the same tokens");
            seq.Blocks.Add(b);
            seq.Hashes.Add(hash);
            parent = hash;
            _hits++;
        }
        // The rest is prefilled into fresh blocks, registered as each fills.
        for (var pos = seq.Blocks.Count * BlockSize; pos < tokens.Length; pos += BlockSize)
        {
            if (!TryAppendBlock(seq)) return;
            if (pos + BlockSize <= tokens.Length) RegisterNext(seq);
        }
    }

    private void Grow(Seq seq)
    {
        var count = _rng.Next(1, 2 * BlockSize);
        for (var i = 0; i < count; i++)
        {
            if (seq.Tokens.Count % BlockSize == 0 && !TryAppendBlock(seq)) return;
            seq.Tokens.Add(_rng.Next(2));
            if (seq.Tokens.Count % BlockSize == 0) RegisterNext(seq);
        }
    }

    // Parallel sampling: the child shares the parent's full blocks and copies its partial tail.
    private void Fork(Seq parent)
    {
        var child = new Seq();
        var full = parent.Hashes.Count;
        for (var i = 0; i < full; i++)
        {
            _pool.AddRef(parent.Blocks[i]);
            child.Blocks.Add(parent.Blocks[i]);
            child.Hashes.Add(parent.Hashes[i]);
        }
        child.Tokens.AddRange(parent.Tokens);
        _live.Add(child);
        if (parent.Tokens.Count > full * BlockSize) TryAppendBlock(child);
    }

    private bool TryAppendBlock(Seq seq)
    {
        if (_pool.TryAllocate(out var b))
        {
            _content[b] = null;
            seq.Blocks.Add(b);
            return true;
        }
        // Out of blocks: the scheduler preempts the sequence that needed one.
        Preempt(seq);
        return false;
    }

    // Registers the sequence's first full block not yet registered.
    private void RegisterNext(Seq seq)
    {
        var index = seq.Hashes.Count;
        var chunk = seq.Tokens.GetRange(index * BlockSize, BlockSize).ToArray();
        var parent = index == 0 ? _pool.RootHash : seq.Hashes[index - 1];
        var hash = BlockPool.Hash(parent, chunk);
        var b = seq.Blocks[index];
        _content[b] = chunk;
        _pool.Register(b, hash, chunk);
        seq.Hashes.Add(hash);
    }

    private void Finish(Seq seq)
    {
        for (var i = seq.Blocks.Count - 1; i >= 0; i--) _pool.Release(seq.Blocks[i]);
        _live.Remove(seq);
    }

    private void Preempt(Seq seq)
    {
        foreach (var b in seq.Blocks) _pool.Release(b);
        _live.Remove(seq);
    }

    private void CheckRefCounts()
    {
        var expected = new int[BlockCount];
        foreach (var seq in _live)
            foreach (var b in seq.Blocks) expected[b]++;
        for (var b = 0; b < BlockCount; b++)
            if (_pool.RefCount(b) != expected[b])
                throw new InvalidOperationException($"block {b}: refcount {_pool.RefCount(b)}, sequences hold it {expected[b]} times");
    }

    // The index the events feed must never see a hash stored twice or removed unseen.
    private void ApplyEvents()
    {
        _events.Clear();
        _pool.DrainEvents(_events);
        foreach (var e in _events)
        {
            if (e.Kind == KvEventKind.Stored) _announced.Add(e.Hash).Should().BeTrue($"hash {e.Hash:X16} stored once");
            else _announced.Remove(e.Hash).Should().BeTrue($"hash {e.Hash:X16} removed after being stored");
        }
    }
}
