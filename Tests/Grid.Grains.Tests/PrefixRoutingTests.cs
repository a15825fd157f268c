namespace Grid.Grains.Tests;

/// <summary>The router with one silo of two GPUs: a warm prefix draws its requests, equal prefixes spread them.</summary>
public sealed class PrefixRoutingTests
{
    private const int BlockSize = 16;

    /// <summary>
    /// A long prompt runs on GPU x; then x gets a long request of its own (admitted straight on it) and is
    /// the busier GPU. A request extending the prompt goes to x under prefix-aware placement (and is served
    /// from x's cache), to the idle GPU under least-loaded placement. The Sim backend, slowed down, keeps the
    /// busy request surely running while the probe is placed (the CPU backend finishes it in a blink).
    /// </summary>
    [SkippableTheory]
    [InlineData(PlacementPolicy.PrefixAware)]
    [InlineData(PlacementPolicy.LeastLoaded)]
    public async Task A_request_follows_its_warm_prefix_to_a_busier_gpu_only_when_placement_is_prefix_aware(PlacementPolicy policy)
    {
        await using var grid = await GridCluster.Start(1, policy, simScale: 1000, devices: 2);
        var prompt = Prompts.Long(10 * BlockSize, seed: 3);
        var warm = grid.Request($"warm-{policy}");
        await warm.Submit(Generation.Greedy(prompt, maxTokens: 1));
        await Generation.ReadAll(warm);
        var x = (await warm.Status()).Gpu!;
        var y = (await grid.Registry.List()).Single(g => g != x);
        var hashes = BlockHashes.Prefix(StoriesModel.Id, prompt, BlockSize);
        await grid.WaitFor(() => grid.IndexSays(x, hashes), $"the KV block grains know that {x} holds the prompt's blocks");

        var busy = new AdmitRequest($"busy-{policy}", Prompts.Long(8, seed: 4), [],
            new GenerationOptions { Temperature = 0, MaxTokens = 400, IgnoreEos = true }, Seed: 1, Priority: 0, Admission: 1);
        await grid.Gpu(x).Admit(busy);
        await grid.WaitFor(async () => (await grid.Gpu(x).Load()).Requests == 1, $"{x} runs the busy request");

        var probe = grid.Request($"probe-{policy}");
        await probe.Submit(Generation.Greedy([.. prompt, .. Prompts.Long(8, seed: 5)], maxTokens: 1));
        var placed = (await probe.Status()).Gpu;
        (await grid.Gpu(x).Holds(busy.RequestId)).Should().BeTrue($"{x} must have been the busier GPU all through the placement");
        var (_, last) = await Generation.ReadAll(probe);
        await grid.Gpu(x).Abort(busy.RequestId);

        if (policy == PlacementPolicy.PrefixAware)
        {
            placed.Should().Be(x, "the GPU caching the prompt's prefix wins against one more request of load");
            last.Usage!.CachedTokens.Should().Be(prompt.Length, "the probe's prefix came from x's cache");
        }
        else
        {
            placed.Should().Be(y, "least-loaded placement ignores the cache");
            last.Usage!.CachedTokens.Should().Be(0);
        }
    }

    /// <summary>
    /// A burst of placements of requests sharing a prompt that both GPUs cache (or neither does) spreads
    /// evenly: the prefix scores tie, so the load decides, and each placement counts into the load the next
    /// sees. Load reports are trusted for a minute, so no fresh report lands mid-burst.
    /// </summary>
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_burst_with_equal_prefixes_spreads_evenly(bool cachedOnBoth)
    {
        await using var grid = await GridCluster.Start(1, PlacementPolicy.PrefixAware, devices: 2,
            configure: o => o.LoadReportMaxAge = TimeSpan.FromMinutes(1));
        var gpus = await grid.Registry.List();
        var prompt = Prompts.Long(10 * BlockSize, seed: 6);
        if (cachedOnBoth)
        {
            var hashes = BlockHashes.Prefix(StoriesModel.Id, prompt, BlockSize);
            foreach (var gpu in gpus)
            {
                await grid.Gpu(gpu).Admit(new AdmitRequest($"warm-{gpu}", prompt, [],
                    new GenerationOptions { Temperature = 0, MaxTokens = 1 }, Seed: 1, Priority: 0, Admission: 1));
            }
            foreach (var gpu in gpus)
                await grid.WaitFor(() => grid.IndexSays(gpu, hashes), $"the KV block grains know that {gpu} holds the prompt's blocks");
        }
        foreach (var gpu in gpus)
            await grid.WaitFor(async () => (await grid.Gpu(gpu).Load()).Requests == 0, $"{gpu} is idle");

        var router = grid.Client.GetGrain<IRouterGrain>(StoriesModel.Id);
        var placed = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            router.Place(new PlaceRequest($"burst-{cachedOnBoth}-{i}", [.. prompt, i + 3], []))));

        placed.GroupBy(g => g).Select(g => g.Count()).Should().BeEquivalentTo([4, 4], $"placed: {string.Join(", ", placed)}");
    }
}
