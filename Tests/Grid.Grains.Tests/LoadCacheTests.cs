namespace Grid.Grains.Tests;

public sealed class LoadCacheTests
{
    [Fact]
    public void A_burst_of_placements_spreads_over_equally_loaded_gpus()
    {
        var cache = new LoadCache();
        LoadReport Idle(string gpu) => new(gpu, 256, 0, 0, 0, 0, 0, 0);
        var reports = new[] { Idle("a/0"), Idle("b/0"), Idle("c/0") };
        foreach (var r in reports) cache.Store(r);

        var picks = Enumerable.Range(0, 6).Select(_ => cache.TakeLeastLoaded(reports)).ToList();

        picks.GroupBy(p => p).Select(g => g.Count()).Should().AllBeEquivalentTo(2);
    }
}
