namespace Grid.Grains.Tests;

public sealed class PlacementScorerTests
{
    private static readonly PlacementScorer Scorer = new(prefixWeight: 2);

    private static LoadReport Gpu(string gpu, int requests, int usedBlocks = 0) => new(gpu, 256 - usedBlocks, 0, usedBlocks, requests, 0, 0, requests);

    private static Dictionary<string, int> Cached(params (string Gpu, int Tokens)[] cached) => cached.ToDictionary(c => c.Gpu, c => c.Tokens);

    [Fact]
    public void A_warm_prefix_outweighs_a_little_more_load()
    {
        var loads = new[] { Gpu("a/0", 0), Gpu("b/0", 1) };
        Scorer.Best(loads, Cached(("b/0", 160)), tokens: 168).Should().Be("b/0");
        PlacementScorer.LeastLoaded.Best(loads, Cached(("b/0", 160)), tokens: 168).Should().Be("a/0", "weight 0 ignores the cache");
    }

    [Fact]
    public void A_warm_prefix_loses_to_much_more_load()
    {
        var loads = new[] { Gpu("a/0", 0), Gpu("b/0", 3) };
        Scorer.Best(loads, Cached(("b/0", 160)), tokens: 168).Should().Be("a/0");
    }

    [Fact]
    public void The_longer_cached_prefix_wins_at_equal_load()
    {
        var loads = new[] { Gpu("a/0", 2), Gpu("b/0", 2), Gpu("c/0", 2) };
        Scorer.Best(loads, Cached(("a/0", 32), ("b/0", 96), ("c/0", 64)), tokens: 100).Should().Be("b/0");
    }

    [Fact]
    public void Equal_prefixes_leave_the_choice_to_load()
    {
        var loads = new[] { Gpu("a/0", 3), Gpu("b/0", 1), Gpu("c/0", 2) };
        Scorer.Best(loads, Cached(("a/0", 64), ("b/0", 64), ("c/0", 64)), tokens: 80).Should().Be("b/0");
    }

    [Fact]
    public void With_nothing_cached_it_picks_as_least_loaded_fewest_requests_then_fewest_used_blocks()
    {
        var loads = new[] { Gpu("a/0", 2, 10), Gpu("b/0", 1, 40), Gpu("c/0", 1, 20), Gpu("d/0", 1, 20) };
        Scorer.Best(loads, Cached(), tokens: 100).Should().Be("c/0", "fewest requests, then fewest used blocks, then the first");
        Scorer.Best(loads).Should().Be("c/0");
    }

    [Fact]
    public void The_score_is_the_weighted_hit_fraction_minus_the_requests()
    {
        Scorer.Score(Gpu("a/0", 3), cachedTokens: 50, tokens: 100).Should().Be(2 * 0.5 - 3);
        Scorer.Score(Gpu("a/0", 0), cachedTokens: 500, tokens: 100).Should().Be(2, "a hit never counts for more than the whole request");
        Scorer.Score(Gpu("a/0", 1), cachedTokens: 0, tokens: 0).Should().Be(-1);
    }
}
