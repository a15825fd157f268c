namespace Grid.Grains.Tests;

public sealed class StreamTests
{
    [SkippableFact]
    public async Task A_stream_resumed_from_an_offset_gives_the_rest_once()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(1);
        var grain = grid.Request("resume");
        await grain.Submit(Generation.Greedy(reference.PromptTokens));

        var first = new List<int>();
        await foreach (var chunk in grain.Stream(0))
        {
            first.AddRange(chunk.Tokens);
            if (first.Count >= 5 || chunk.Finish is not null) break;
        }
        var (rest, _) = await Generation.ReadAll(grain, first.Count);
        first.Concat(rest).Should().Equal(reference.GeneratedTokens);

        var (again, last) = await Generation.ReadAll(grain, 10);
        again.Should().Equal(reference.GeneratedTokens[10..], "a finished request still serves any offset");
        last.Text.Should().NotBeNull();
    }

    [SkippableFact]
    public async Task Submitting_again_is_harmless_and_a_different_request_under_the_same_id_is_refused()
    {
        var references = StoriesModel.Greedy();
        await using var grid = await GridCluster.Start(1);
        var grain = grid.Request("twice");
        await grain.Submit(Generation.Greedy(references[0].PromptTokens));
        await grain.Submit(Generation.Greedy(references[0].PromptTokens));
        var other = () => grain.Submit(Generation.Greedy(references[1].PromptTokens));
        await other.Should().ThrowAsync<ArgumentException>();
        (await Generation.ReadAll(grain)).Tokens.Should().Equal(references[0].GeneratedTokens);
    }
}
