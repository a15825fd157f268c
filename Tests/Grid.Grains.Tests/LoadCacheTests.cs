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

    [Fact]
    public void A_report_fetched_concurrently_does_not_wipe_out_placements_counted_in()
    {
        var cache = new LoadCache(TimeSpan.FromMinutes(1));
        var idle = new[] { new LoadReport("a/0", 256, 0, 0, 0, 0, 0, 0), new LoadReport("b/0", 256, 0, 0, 0, 0, 0, 0) };
        cache.Store(idle[0]);
        cache.TakeLeastLoaded(idle).Should().Be("a/0");
        // Another router activation fetched a/0's load before that placement and stores it after.
        cache.Store(idle[0]);
        cache.Fresh("a/0")!.Requests.Should().Be(1);
        cache.TakeLeastLoaded(idle).Should().Be("b/0");
    }
}
