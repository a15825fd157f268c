namespace Grid.Grains.Tests;

/// <summary>The KV block grains follow a GPU's prefix cache as it stores and evicts blocks.</summary>
public sealed class KvIndexTests
{
    private const int BlockSize = 16;

    /// <summary>
    /// A pool of 16 blocks caches prompt A's 10 blocks; prompt B needs 10 more, so 4 of A's are evicted,
    /// its tail first (a sequence releases its blocks tail first, and the least recently released go first).
    /// </summary>
    [SkippableFact]
    public async Task Evicted_blocks_leave_the_index_and_the_rest_stay()
    {
        await using var grid = await GridCluster.Start(1, configure: o => o.BlockCount = 16);
        var a = Prompts.Long(10 * BlockSize, seed: 7);
        var gpu = await Run(grid, "index-a", a);
        var hashesA = BlockHashes.Prefix(StoriesModel.Id, a, BlockSize);
        // A prompt of exactly 10 blocks is looked up by its first 9; its 10th is stored too, but no router asks for it.
        hashesA.Should().HaveCount(9);
        await grid.WaitFor(() => grid.IndexSays(gpu, hashesA), "the index lists A's blocks");

        await Run(grid, "index-b", Prompts.Long(10 * BlockSize, seed: 8));

        await grid.WaitFor(() => grid.IndexSays(gpu, hashesA[6..], holds: false), "A's evicted tail blocks leave the index");
        (await grid.IndexSays(gpu, hashesA[..6])).Should().BeTrue("A's head blocks are still cached");
    }

    private static async Task<string> Run(GridCluster grid, string id, int[] prompt)
    {
        var request = grid.Request(id);
        await request.Submit(Generation.Greedy(prompt, maxTokens: 1));
        await Generation.ReadAll(request);
        return (await request.Status()).Gpu!;
    }
}
