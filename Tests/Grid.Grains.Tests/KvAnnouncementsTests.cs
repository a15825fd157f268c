using Grid.Engine.KvCache;

namespace Grid.Grains.Tests;

public sealed class KvAnnouncementsTests
{
    private static KvEvent Stored(ulong hash) => new(KvEventKind.Stored, hash, 0);
    private static KvEvent Removed(ulong hash) => new(KvEventKind.Removed, hash, 0);

    private static List<(ulong Hash, bool Holds)> Fold(KvAnnouncements a, params KvEvent[] events)
    {
        var changes = new List<(ulong, bool)>();
        a.Fold([.. events], changes);
        return changes;
    }

    [Fact]
    public void A_flush_says_each_block_once_with_its_latest_state()
    {
        var a = new KvAnnouncements();
        Fold(a, Stored(1), Stored(2), Stored(3)).Should().Equal((1UL, true), (2UL, true), (3UL, true));
        // 1 evicted; 2 evicted and stored again (still held); 4 stored and evicted before anyone heard of it.
        Fold(a, Removed(1), Removed(2), Stored(4), Stored(2), Removed(4)).Should().Equal((1UL, false));
        a.Announced.Should().BeEquivalentTo([2UL, 3UL]);
        Fold(a).Should().BeEmpty();
    }

    [Fact]
    public void Withdraw_removes_everything_announced()
    {
        var a = new KvAnnouncements();
        Fold(a, Stored(7), Stored(8), Removed(8));
        var changes = new List<(ulong, bool)>();
        a.Withdraw(changes);
        changes.Should().Equal((7UL, false));
        a.Announced.Should().BeEmpty();
    }
}
