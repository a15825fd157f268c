namespace Grid.Grains.Tests;

public sealed class CancelTests
{
    [SkippableFact]
    public async Task Cancel_ends_the_stream_and_frees_the_gpu()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(1);
        var grain = grid.Request("cancel");
        // Long enough that it is still running when the first tokens arrive.
        await grain.Submit(Generation.Greedy(reference.PromptTokens, maxTokens: 400));
        await foreach (var chunk in grain.Stream(0))
        {
            if (chunk.Tokens.Length > 0) break;
        }
        await grain.Cancel();

        var status = await grain.Status();
        status.Finish.Should().Be(GenerationFinish.Abort);
        var (tokens, last) = await Generation.ReadAll(grain);
        last.Finish.Should().Be(GenerationFinish.Abort);
        tokens.Count.Should().BeLessThan(400);

        var gpu = grid.Client.GetGrain<IGpuGrain>(status.Gpu!);
        await grid.WaitFor(async () => await gpu.Load() is { Running: 0, Waiting: 0, Requests: 0, UsedBlocks: 0 }, "the GPU holds no work");
    }
}
