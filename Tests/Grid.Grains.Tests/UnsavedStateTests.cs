namespace Grid.Grains.Tests;

public sealed class UnsavedStateTests
{
    /// <summary>
    /// A request whose state outgrows its store (an Azure Table entity holds 960 KB of state) goes on from memory and
    /// finishes on its first GPU with run.c's tokens. The store's refusal used to escape the delivery: the GPU dropped the
    /// request, and each stall check re-admitted it a few tokens further on. The store here takes states of up to 16
    /// tokens; saves come every 8 tokens.
    /// </summary>
    [SkippableFact]
    public async Task A_request_whose_state_outgrows_its_store_finishes_on_its_first_gpu()
    {
        var reference = StoriesModel.Greedy()[1];
        await using var grid = await GridCluster.Start(1, refuseState: state => state is RequestGrainState { Tokens.Count: > 16 });
        var request = grid.Request($"large-{Guid.NewGuid():N}");

        await request.Submit(Generation.Greedy(reference.PromptTokens, reference.GeneratedTokens.Length));
        var (tokens, last) = await Generation.ReadAll(request);

        tokens.Should().Equal(reference.GeneratedTokens, $"the stream ended {last.Finish} ({last.Error})");
        last.Finish.Should().Be(GenerationFinish.Length);
        (await request.Status()).Admissions.Should().Be(1, "a store that refuses a write is no reason to move a request");
    }
}
