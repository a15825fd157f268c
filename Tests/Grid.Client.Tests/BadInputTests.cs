using Microsoft.Extensions.AI;

namespace Grid.Client.Tests;

public sealed class BadInputTests
{
    [SkippableFact]
    public async Task Bad_requests_fail_with_a_message_that_names_the_problem_and_the_grid_carries_on()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(1);
        using var client = ChatClients.For(grid);

        var unknownModel = () => client.GetResponseAsync(ChatClients.Ask("Hi"), new ChatOptions { ModelId = "no-such-model" });
        (await unknownModel.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*no-such-model*");

        var negative = () => client.GetResponseAsync(ChatClients.Ask("Hi"), new ChatOptions { MaxOutputTokens = -1 });
        await negative.Should().ThrowAsync<ArgumentException>();

        var notANumber = () => client.GetResponseAsync(ChatClients.Ask("Hi"), new ChatOptions { Temperature = float.NaN });
        (await notANumber.Should().ThrowAsync<ArgumentException>()).WithMessage("*temperature*");

        var tooLong = () => client.GetResponseAsync(ChatClients.Ask(string.Join(' ', Enumerable.Repeat("Once upon a time", 400))));
        (await tooLong.Should().ThrowAsync<ArgumentException>()).WithMessage("*context*");

        var empty = () => client.GetResponseAsync([]);
        await empty.Should().ThrowAsync<ArgumentException>();

        // Still serving.
        var response = await client.GetResponseAsync(ChatClients.Ask(reference.Prompt), ChatClients.Greedy(8));
        response.Usage!.OutputTokenCount.Should().Be(8);
    }
}
