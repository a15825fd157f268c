namespace Grid.Grains.Tests;

public sealed class PrefixSearchTests
{
    /// <summary>An index where each GPU holds its first n blocks; counts the lookups.</summary>
    private sealed class FakeIndex(Dictionary<string, int> prefixes)
    {
        public List<int> Asked { get; } = [];

        public Task<string[]> Holders(int block)
        {
            lock (Asked) Asked.Add(block);
            return Task.FromResult(prefixes.Where(p => p.Value > block).Select(p => p.Key).ToArray());
        }
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(64, 63)]
    [InlineData(64, 1)]
    [InlineData(64, 37)]
    [InlineData(1000, 999)]
    [InlineData(1, 1)]
    public async Task One_gpus_prefix_is_found_by_bisection(int blocks, int cached)
    {
        var index = new FakeIndex(new() { ["a/0"] = cached });
        var found = await PrefixSearch.CachedBlocks(blocks, ["a/0", "b/0"], index.Holders);

        found.Should().Equal(new Dictionary<string, int> { ["a/0"] = cached });
        index.Asked.Should().HaveCountLessThanOrEqualTo(1 + (int)Math.Ceiling(Math.Log2(blocks)), "block 0, then a bisection");
        index.Asked.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A_prompt_cached_nowhere_costs_one_lookup()
    {
        var index = new FakeIndex(new() { ["a/0"] = 0 });
        (await PrefixSearch.CachedBlocks(500, ["a/0", "b/0"], index.Holders)).Should().BeEmpty();
        index.Asked.Should().Equal(0);
    }

    [Fact]
    public async Task Several_gpus_each_get_their_own_length_and_gpus_outside_the_candidates_are_ignored()
    {
        var prefixes = new Dictionary<string, int> { ["a/0"] = 10, ["b/0"] = 100, ["c/0"] = 100, ["d/0"] = 3, ["gone/0"] = 100 };
        var index = new FakeIndex(prefixes);
        var found = await PrefixSearch.CachedBlocks(100, ["a/0", "b/0", "c/0", "d/0", "e/0"], index.Holders);

        found.Should().Equal(new Dictionary<string, int> { ["a/0"] = 10, ["b/0"] = 100, ["c/0"] = 100, ["d/0"] = 3 });
        // Three distinct lengths: at most a bisection each, plus block 0.
        index.Asked.Should().HaveCountLessThanOrEqualTo(1 + 3 * 7);
    }

    [Fact]
    public async Task No_blocks_or_no_gpus_ask_nothing()
    {
        var index = new FakeIndex(new() { ["a/0"] = 5 });
        (await PrefixSearch.CachedBlocks(0, ["a/0"], index.Holders)).Should().BeEmpty();
        (await PrefixSearch.CachedBlocks(5, [], index.Holders)).Should().BeEmpty();
        index.Asked.Should().BeEmpty();
    }
}
