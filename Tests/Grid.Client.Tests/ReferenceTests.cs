using Microsoft.Extensions.AI;

namespace Grid.Client.Tests;

/// <summary>run.c's greedy references through GridChatClient: text in, the silo tokenizes it, the same tokens out.</summary>
public sealed class ReferenceTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Greedy_references_come_out_exactly_through_the_client(int silos)
    {
        var references = StoriesModel.Greedy();
        await using var grid = await GridCluster.Start(silos);
        using var client = ChatClients.For(grid);

        var runs = await Task.WhenAll(references.Select(async r =>
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in client.GetStreamingResponseAsync(ChatClients.Ask(r.Prompt), ChatClients.Greedy())) updates.Add(u);
            return (Reference: r, Updates: updates);
        }));

        foreach (var (reference, updates) in runs)
        {
            ChatClients.Tokens(updates).Should().Equal(reference.GeneratedTokens, $"'{reference.Prompt}' on {silos} silo(s)");
            updates[^1].FinishReason.Should().Be(ChatFinishReason.Length);
            var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
            usage.InputTokenCount.Should().Be(reference.PromptTokens.Length, "the silo encoded the text as run.c did");
            usage.OutputTokenCount.Should().Be(64);
            updates.Select(u => u.ResponseId).Distinct().Should().ContainSingle();
        }
    }

    [SkippableFact]
    public async Task A_whole_response_carries_text_finish_and_usage()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(1);
        using var client = ChatClients.For(grid);

        var response = await client.GetResponseAsync(ChatClients.Ask(reference.Prompt), ChatClients.Greedy(32));

        response.Text.Should().NotBeNullOrWhiteSpace();
        response.FinishReason.Should().Be(ChatFinishReason.Length);
        response.Usage!.OutputTokenCount.Should().Be(32);
        response.Usage.InputTokenCount.Should().Be(reference.PromptTokens.Length);
        response.ModelId.Should().Be(StoriesModel.Id);
    }
}
