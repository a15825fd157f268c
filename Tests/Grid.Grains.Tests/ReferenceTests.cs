namespace Grid.Grains.Tests;

/// <summary>Requests through the grains give run.c's greedy reference tokens, on one silo and spread over three.</summary>
public sealed class ReferenceTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Greedy_references_come_out_exactly(int silos)
    {
        var references = StoriesModel.Greedy();
        await using var grid = await GridCluster.Start(silos);
        var requests = references.Select((r, i) => (Reference: r, Grain: grid.Request($"ref-{silos}-{i}"))).ToList();
        await Task.WhenAll(requests.Select(r => r.Grain.Submit(Generation.Greedy(r.Reference.PromptTokens))));

        foreach (var (reference, grain) in requests)
        {
            var (tokens, last) = await Generation.ReadAll(grain);
            tokens.Should().Equal(reference.GeneratedTokens, $"'{reference.Prompt}' on {silos} silo(s) (error: {last.Error})");
            last.Finish.Should().Be(GenerationFinish.Length);
            last.Usage.Should().Be(new Usage(reference.PromptTokens.Length, 64, last.Usage!.CachedTokens));
            (await grain.Status()).Phase.Should().Be(RequestPhase.Done);
        }
    }
}
