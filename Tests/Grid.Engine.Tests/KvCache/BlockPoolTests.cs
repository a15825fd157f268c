using Grid.Engine.KvCache;

namespace Grid.Engine.Tests.KvCache;

public sealed class BlockPoolTests
{
    private static int[] Block(params int[] ids) => ids;

    private static List<KvEvent> Drain(BlockPool pool)
    {
        var events = new List<KvEvent>();
        pool.DrainEvents(events);
        return events;
    }

    [Fact]
    public void Allocates_every_block_once_then_refuses()
    {
        var pool = new BlockPool(4, 2);
        var got = new List<int>();
        while (pool.TryAllocate(out var b)) got.Add(b);
        got.Should().Equal(0, 1, 2, 3);
        pool.TryAllocate(out var none).Should().BeFalse();
        none.Should().Be(-1);
        (pool.FreeCount, pool.CachedCount, pool.UsedCount, pool.AvailableCount).Should().Be((0, 0, 4, 0));
        pool.CheckInvariants();
    }

    [Fact]
    public void Releasing_an_unregistered_block_frees_it()
    {
        var pool = new BlockPool(2, 2);
        pool.TryAllocate(out var b);
        pool.Release(b);
        (pool.FreeCount, pool.CachedCount, pool.UsedCount).Should().Be((2, 0, 0));
        pool.CheckInvariants();
    }

    [Fact]
    public void A_released_registered_block_is_cached_and_found_again_by_lookup()
    {
        var pool = new BlockPool(3, 2);
        var tokens = Block(5, 6);
        var hash = BlockPool.Hash(pool.RootHash, tokens);
        pool.TryAllocate(out var b);
        pool.Register(b, hash, tokens);
        pool.Release(b);
        (pool.FreeCount, pool.CachedCount, pool.UsedCount, pool.AvailableCount).Should().Be((2, 1, 0, 3));
        pool.CheckInvariants();

        pool.Lookup(hash, tokens).Should().Be(b);
        pool.RefCount(b).Should().Be(1);
        (pool.CachedCount, pool.UsedCount).Should().Be((0, 1));
        pool.CheckInvariants();
        pool.Lookup(hash, tokens).Should().Be(b, "a used block is shared too");
        pool.RefCount(b).Should().Be(2);
        pool.CheckInvariants();
    }

    [Fact]
    public void A_lookup_whose_hash_collides_but_whose_tokens_differ_misses()
    {
        var pool = new BlockPool(2, 2);
        const ulong chosen = 42;
        pool.TryAllocate(out var b);
        pool.Register(b, chosen, Block(1, 2));
        pool.Lookup(chosen, Block(1, 3)).Should().Be(-1);
        pool.Lookup(chosen + 1, Block(1, 2)).Should().Be(-1);
        pool.RefCount(b).Should().Be(1);
        pool.CheckInvariants();
    }

    [Fact]
    public void Eviction_takes_the_least_recently_released_cached_block_first()
    {
        var pool = new BlockPool(3, 1);
        var blocks = new int[3];
        for (var i = 0; i < 3; i++)
        {
            pool.TryAllocate(out blocks[i]);
            pool.Register(blocks[i], 100UL + (ulong)i, Block(i));
        }
        // Released in the order 2, 0, 1: block 2 is least recent.
        pool.Release(blocks[2]);
        pool.Release(blocks[0]);
        pool.Release(blocks[1]);
        Drain(pool);

        pool.TryAllocate(out var first).Should().BeTrue();
        first.Should().Be(blocks[2]);
        Drain(pool).Should().Equal(new KvEvent(KvEventKind.Removed, 102, blocks[2]));
        pool.Evictions.Should().Be(1);
        pool.Lookup(102, Block(2)).Should().Be(-1, "an evicted block is forgotten");

        // A lookup hit takes block 0 out of the cache, so block 1 is next.
        pool.Lookup(100, Block(0)).Should().Be(blocks[0]);
        pool.TryAllocate(out var second).Should().BeTrue();
        second.Should().Be(blocks[1]);
        pool.TryAllocate(out _).Should().BeFalse();
        pool.Evictions.Should().Be(2);
        pool.CheckInvariants();
    }

    [Fact]
    public void EvictCached_frees_every_cached_block_and_keeps_used_ones()
    {
        var pool = new BlockPool(4, 1);
        var blocks = new int[3];
        for (var i = 0; i < 3; i++)
        {
            pool.TryAllocate(out blocks[i]);
            pool.Register(blocks[i], 200UL + (ulong)i, Block(i));
        }
        pool.Release(blocks[1]);
        pool.Release(blocks[0]);
        Drain(pool);

        pool.EvictCached().Should().Be(2);
        (pool.FreeCount, pool.CachedCount, pool.UsedCount).Should().Be((3, 0, 1));
        Drain(pool).Should().Equal(new KvEvent(KvEventKind.Removed, 201, blocks[1]), new KvEvent(KvEventKind.Removed, 200, blocks[0]));
        pool.Lookup(200, Block(0)).Should().Be(-1, "an evicted block is forgotten");
        pool.Lookup(202, Block(2)).Should().Be(blocks[2], "a block in use stays registered");
        pool.EvictCached().Should().Be(0);
        pool.CheckInvariants();
    }

    [Fact]
    public void Register_emits_stored_and_drain_empties_the_queue()
    {
        var pool = new BlockPool(2, 2);
        pool.TryAllocate(out var b);
        pool.Register(b, 7, Block(3, 4));
        var events = new List<KvEvent>();
        pool.DrainEvents(events).Should().Be(1);
        events.Should().Equal(new KvEvent(KvEventKind.Stored, 7, b));
        pool.DrainEvents(events).Should().Be(0);
        events.Should().HaveCount(1);
    }

    [Fact]
    public void A_second_block_under_the_same_hash_stays_unregistered_and_frees()
    {
        var pool = new BlockPool(3, 2);
        var tokens = Block(1, 1);
        pool.TryAllocate(out var a);
        pool.TryAllocate(out var b);
        pool.Register(a, 9, tokens);
        pool.Register(b, 9, tokens);
        pool.IsRegistered(a).Should().BeTrue();
        pool.IsRegistered(b).Should().BeFalse();
        Drain(pool).Should().Equal(new KvEvent(KvEventKind.Stored, 9, a));
        pool.Release(b);
        (pool.FreeCount, pool.CachedCount).Should().Be((2, 0));
        pool.Release(a);
        (pool.FreeCount, pool.CachedCount).Should().Be((2, 1));
        pool.Lookup(9, tokens).Should().Be(a);
        pool.CheckInvariants();
    }

    [Fact]
    public void A_shared_block_is_cached_only_after_both_sequences_release_it()
    {
        var pool = new BlockPool(2, 2);
        pool.TryAllocate(out var b);
        pool.Register(b, 5, Block(8, 9));
        pool.AddRef(b);
        pool.RefCount(b).Should().Be(2);
        pool.Release(b);
        (pool.UsedCount, pool.CachedCount).Should().Be((1, 0));
        pool.CheckInvariants();
        pool.Release(b);
        (pool.UsedCount, pool.CachedCount).Should().Be((0, 1));
        pool.CheckInvariants();
    }

    [Fact]
    public void Misuse_of_blocks_not_in_use_is_refused()
    {
        var pool = new BlockPool(2, 2);
        pool.TryAllocate(out var b);
        pool.Release(b);
        FluentActions.Invoking(() => pool.Release(b)).Should().Throw<InvalidOperationException>().WithMessage($"*block {b}*not in use*");
        FluentActions.Invoking(() => pool.Release(1)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => pool.AddRef(1)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => pool.Register(1, 3, Block(1, 2))).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => pool.Release(2)).Should().Throw<ArgumentOutOfRangeException>();

        pool.TryAllocate(out var c);
        FluentActions.Invoking(() => pool.Register(c, 3, Block(1))).Should().Throw<ArgumentException>().WithMessage("*2 tokens*");
        pool.Register(c, 3, Block(1, 2));
        FluentActions.Invoking(() => pool.Register(c, 4, Block(1, 2))).Should().Throw<InvalidOperationException>().WithMessage("*already registered*");
        pool.CheckInvariants();
    }

    [Fact]
    public void Hash_is_a_fixed_function_of_parent_and_tokens()
    {
        // Pinned: the cluster-wide index compares hashes made by different processes and versions.
        BlockPool.Hash(0x1234, [1, 2, 3, 4]).Should().Be(0x9EAAEA75250BA6ECUL);
        BlockPool.Hash(0x1234, [-1, 0, 7, 100000]).Should().Be(0xBCADDFA278E42211UL);
        BlockPool.Hash(0x1235, [1, 2, 3, 4]).Should().NotBe(BlockPool.Hash(0x1234, [1, 2, 3, 4]));
        BlockPool.Hash(0x1234, [1, 2, 4, 3]).Should().NotBe(BlockPool.Hash(0x1234, [1, 2, 3, 4]));

        var root = new BlockPool(1, 4).RootHash;
        new BlockPool(1, 4).RootHash.Should().Be(root);
        new BlockPool(1, 4, modelId: 1).RootHash.Should().NotBe(root);
        var first = BlockPool.Hash(root, [1, 2, 3, 4]);
        BlockPool.Hash(first, [5, 6, 7, 8]).Should().NotBe(BlockPool.Hash(root, [5, 6, 7, 8]), "a block's hash covers its whole prefix");
    }
}
