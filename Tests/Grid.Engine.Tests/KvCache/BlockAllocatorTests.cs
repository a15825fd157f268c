using Grid.Engine.KvCache;

namespace Grid.Engine.Tests.KvCache;

public sealed class BlockAllocatorTests
{
    [Fact]
    public void Hands_out_each_block_once_until_freed()
    {
        var a = new BlockAllocator(4);
        var got = new List<int>();
        while (a.TryAllocate(out var b)) got.Add(b);
        got.Should().BeEquivalentTo([0, 1, 2, 3]);
        a.Free(2);
        a.TryAllocate(out var again).Should().BeTrue();
        again.Should().Be(2);
    }

    [Fact]
    public void A_double_free_is_refused()
    {
        var a = new BlockAllocator(2);
        a.TryAllocate(out var b);
        a.Free(b);
        FluentActions.Invoking(() => a.Free(b)).Should().Throw<InvalidOperationException>().WithMessage($"*block {b}*not allocated*");
        FluentActions.Invoking(() => a.Free(7)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
