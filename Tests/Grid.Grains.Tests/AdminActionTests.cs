namespace Grid.Grains.Tests;

/// <summary>The operator's actions as grain messages: evict a GPU's prefix cache, drain a node, migrate a request.</summary>
public sealed class AdminActionTests
{
    private const int BlockSize = 16;

    /// <summary>A repeated prompt comes from the prefix cache; after Evict the GPU holds no cached block, the index forgets them, and the prompt is computed again.</summary>
    [SkippableFact]
    public async Task Evict_drops_the_cached_prefix_blocks()
    {
        await using var grid = await GridCluster.Start(1);
        var prompt = Prompts.Long(6 * BlockSize, seed: 11);
        var (gpu, first) = await Run(grid, "evict-1", prompt);
        first.Should().Be(0);
        (_, var again) = await Run(grid, "evict-2", prompt);
        again.Should().BeGreaterThan(0, "the second run finds the prompt's blocks cached");
        var hashes = BlockHashes.Prefix(StoriesModel.Id, prompt, BlockSize);
        await grid.WaitFor(() => grid.IndexSays(gpu, hashes), "the index lists the prompt's blocks");

        var evicted = await grid.Gpu(gpu).Evict();

        evicted.Should().BeGreaterThanOrEqualTo(hashes.Length);
        (await grid.Gpu(gpu).Load()).CachedBlocks.Should().Be(0);
        await grid.WaitFor(() => grid.IndexSays(gpu, hashes, holds: false), "the index forgets the evicted blocks");
        (_, var after) = await Run(grid, "evict-3", prompt);
        after.Should().Be(0, "nothing was left to reuse");
    }

    /// <summary>
    /// Draining a node: its GPU admits nothing new (a direct admission is refused, placements go to the other node) while
    /// its running request finishes in full; with every node drained a new request fails, saying why.
    /// </summary>
    [SkippableFact]
    public async Task A_drained_node_admits_nothing_new_and_its_running_request_finishes()
    {
        var reference = StoriesModel.Greedy()[0];
        const int maxTokens = 300;
        await using var grid = await GridCluster.Start(2, simScale: 500, configure: o =>
        {
            ClusterViewTests.Fast(o);
            o.PlacementTimeout = TimeSpan.FromSeconds(1);
        });
        var view = grid.Client.GetGrain<IClusterViewGrain>(IClusterViewGrain.Key);
        var running = grid.Request("drain-running");
        await running.Submit(Generation.Greedy(reference.PromptTokens, maxTokens));
        var drained = (await running.Status()).Gpu!;
        var node = GpuKey.Node(drained);
        await grid.WaitFor(async () => (await view.Snapshot()).Gpus.Length == 2, "the view knows both GPUs");

        (await view.Drain("no-such-node")).Should().BeFalse();
        (await view.Drain(node)).Should().BeTrue();

        (await grid.Gpu(drained).Load()).Draining.Should().BeTrue();
        (await running.Status()).Phase.Should().Be(RequestPhase.Running, "the test means to drain while the request runs");
        var refused = () => grid.Gpu(drained).Admit(new AdmitRequest("drain-direct", reference.PromptTokens, [],
            new GenerationOptions { Temperature = 0, MaxTokens = 4 }, Seed: 1, Priority: 0, Admission: 1));
        await refused.Should().ThrowAsync<GpuDrainingException>();
        for (var i = 0; i < 4; i++)
        {
            var other = grid.Request($"drain-new-{i}");
            await other.Submit(Generation.Greedy(reference.PromptTokens, maxTokens: 4));
            (await other.Status()).Gpu.Should().NotBe(drained, "a drained GPU takes no new request");
            (await Generation.ReadAll(other)).Last.Finish.Should().Be(GenerationFinish.Length);
        }
        var snapshot = await view.Snapshot();
        snapshot.Silos.Single(s => s.Node == node).Draining.Should().BeTrue();
        snapshot.Gpus.Single(g => g.Key == drained).Draining.Should().BeTrue();

        var (tokens, last) = await Generation.ReadAll(running);
        last.Finish.Should().Be(GenerationFinish.Length, last.Error);
        tokens.Should().HaveCount(maxTokens);
        (await running.Status()).Admissions.Should().Be(1, "the running request finished where it was");

        var otherNode = grid.Cluster.Silos.Select(s => s.Name).Single(n => n != node);
        (await view.Drain(otherNode)).Should().BeTrue();
        var late = grid.Request("drain-late");
        await late.Submit(Generation.Greedy(reference.PromptTokens, maxTokens: 4));
        var (_, failed) = await Generation.ReadAll(late);
        failed.Finish.Should().Be(GenerationFinish.Error);
        failed.Error.Should().Contain("draining");
    }

    /// <summary>
    /// A request moved mid-generation, once to the GPU the router picks and once to a named one: it ends on another GPU
    /// with exactly the tokens of an undisturbed greedy run, read as one stream without gaps or repeats. (Request ids
    /// differ per case: the test storage outlives a cluster.)
    /// </summary>
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_migrated_request_continues_on_another_gpu_with_the_same_tokens(bool named)
    {
        var reference = StoriesModel.Greedy()[1];
        const int maxTokens = 100;
        // Slowed well down (about 30 ms a step), so the move surely lands mid-generation; the undisturbed run goes alongside.
        await using var grid = await GridCluster.Start(1, simScale: 1000, devices: 2);
        var undisturbed = grid.Request($"migrate-undisturbed-{named}");
        await undisturbed.Submit(Generation.Greedy(reference.PromptTokens, maxTokens));
        var expected = Generation.ReadAll(undisturbed);

        var moved = grid.Request($"migrate-moved-{named}");
        await moved.Submit(Generation.Greedy(reference.PromptTokens, maxTokens));
        var from = (await moved.Status()).Gpu!;
        var tokens = await Generation.ReadFirst(moved);
        (await moved.Status()).Phase.Should().Be(RequestPhase.Running, "the test means to move it mid-generation");
        var target = (await grid.Registry.List()).Single(g => g != from);

        var to = await moved.Migrate(named ? target : null);

        to.Should().Be(target);
        (await moved.Status()).Gpu.Should().Be(target);
        var (rest, last) = await Generation.ReadAll(moved, tokens.Count);
        tokens.AddRange(rest);
        tokens.Should().Equal((await expected).Tokens, $"the stream ended {last.Finish} ({last.Error})");
        (await moved.Status()).Admissions.Should().Be(2);
        await grid.WaitFor(async () => await grid.Gpu(from).Load() is { Requests: 0, UsedBlocks: 0 }, "the old GPU let the request go");

        var done = () => moved.Migrate();
        await done.Should().ThrowAsync<InvalidOperationException>().WithMessage("*not running*");
        var unknown = () => grid.Request("migrate-unknown").Migrate();
        await unknown.Should().ThrowAsync<InvalidOperationException>().WithMessage("*never submitted*");
    }

    private static async Task<(string Gpu, int Cached)> Run(GridCluster grid, string id, int[] prompt)
    {
        var request = grid.Request(id);
        await request.Submit(Generation.Greedy(prompt, maxTokens: 1));
        var (_, last) = await Generation.ReadAll(request);
        return ((await request.Status()).Gpu!, last.Usage!.CachedTokens);
    }
}
