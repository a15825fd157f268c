namespace Grid.Grains.Tests;

/// <summary>The cluster view grain: what GPU grains push to it, and what it answers the admin API.</summary>
public sealed class ClusterViewTests
{
    /// <summary>
    /// Two silos of one GPU each (Sim, slowed, so a long request surely runs while the test looks): the snapshot lists both
    /// silos with their grid nodes, both GPUs, and the running request on its GPU with its tokens growing; a finished request
    /// gives the totals TTFT and TPOT percentiles; a silo that stops leaves the snapshot, its GPU once it stops reporting.
    /// </summary>
    [SkippableFact]
    public async Task The_snapshot_lists_silos_gpus_and_running_requests_and_forgets_a_stopped_silo()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(2, simScale: 200, configure: Fast);
        var view = grid.Client.GetGrain<IClusterViewGrain>(IClusterViewGrain.Key);

        var shortOne = grid.Request("view-short");
        await shortOne.Submit(Generation.Greedy(reference.PromptTokens, maxTokens: 8));
        await Generation.ReadAll(shortOne);
        var running = grid.Request("view-long");
        await running.Submit(Generation.Greedy(reference.PromptTokens, maxTokens: 2000));
        var gpu = (await running.Status()).Gpu!;

        ClusterSnapshot snapshot = null!;
        await grid.WaitFor(async () =>
        {
            snapshot = await view.Snapshot();
            return snapshot.Requests.Any(r => r.Id == "view-long" && r.Tokens > 0 && r.Phase == "Running")
                && snapshot.Gpus.Length == 2 && snapshot.Silos.Length == 2 && snapshot.Silos.All(s => s.Node is not null)
                && snapshot.Totals.TtftMs is not null;
        }, "the view shows both silos and GPUs, the running request, and the finished one's latency");

        var names = grid.Cluster.Silos.Select(s => s.Name).ToArray();
        snapshot.Silos.Select(s => s.Node).Should().BeEquivalentTo(names);
        snapshot.Silos.Should().OnlyContain(s => s.Status == "Active" && !s.Draining && s.Address.Contains('@'));
        snapshot.Gpus.Select(g => g.Key).Should().BeEquivalentTo(names.Select(n => GpuKey.Of(n, 0)));
        snapshot.Gpus.Should().OnlyContain(g => g.Backend == "Sim" && g.Model == StoriesModel.Id && g.TotalBlocks > 0
            && g.FreeBlocks + g.CachedBlocks + g.UsedBlocks == g.TotalBlocks && !g.Draining);
        var request = snapshot.Requests.Single(r => r.Id == "view-long");
        request.Gpu.Should().Be(gpu);
        request.AgeSeconds.Should().BePositive();
        snapshot.Gpus.Single(g => g.Key == gpu).Running.Should().Be(1);
        snapshot.Totals.Running.Should().Be(1);
        snapshot.Totals.TpotMs.Should().NotBeNull("the finished request made 8 tokens");
        snapshot.Totals.TtftMs!.P50.Should().BePositive();
        snapshot.Totals.TtftMs.P50.Should().BeLessThanOrEqualTo(snapshot.Totals.TtftMs.P99);
        var before = request.Tokens;
        await grid.WaitFor(async () => (await view.Snapshot()).Requests.Single(r => r.Id == "view-long").Tokens > before, "the request's tokens grow");

        await running.Cancel();
        await grid.WaitFor(async () => (await view.Snapshot()).Requests.Length == 0, "a cancelled request leaves the view");

        // The test cluster keeps its first silo; the other stops, and its GPU stops reporting.
        var stopped = grid.Cluster.Silos[1];
        await grid.Cluster.StopSiloAsync(stopped);
        await grid.WaitFor(async () =>
        {
            var s = await view.Snapshot();
            return s.Silos.All(x => x.Node != stopped.Name) && s.Gpus.All(g => GpuKey.Node(g.Key) != stopped.Name) && s.Gpus.Length == 1;
        }, "the stopped silo and its GPU leave the view");
    }

    [Fact]
    public void Percentiles_take_the_nearest_rank_and_are_null_without_samples()
    {
        ClusterViewGrain.Percentiles([]).Should().BeNull();
        ClusterViewGrain.Percentiles([null, null]).Should().BeNull();
        ClusterViewGrain.Percentiles([5.0]).Should().Be(new Percentiles(5, 5, 5));
        var hundred = Enumerable.Range(1, 100).Select(i => (double?)i).Reverse().ToArray();
        ClusterViewGrain.Percentiles(hundred).Should().Be(new Percentiles(50, 90, 99));
    }

    /// <summary>Reports every 200 ms and forgets a GPU after 1 s of silence, so the test waits little.</summary>
    internal static void Fast(GridSiloOptions o)
    {
        o.ClusterReportInterval = TimeSpan.FromMilliseconds(200);
        o.ClusterReportExpiry = TimeSpan.FromSeconds(1);
    }
}
