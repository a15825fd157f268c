using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace Grid.Api.Tests;

/// <summary>The official OpenAI .NET SDK against the test server: it is strict about field types and values.</summary>
public class OpenAiSdkTests(StoriesServerFixture fixture) : IClassFixture<StoriesServerFixture>
{
    private ChatClient Client() => new(ApiServer.ModelId, new ApiKeyCredential("unused"),
        new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.Address, "v1") });

    private static readonly ChatCompletionOptions Greedy = new() { Temperature = 0, MaxOutputTokenCount = 64 };

    [SkippableFact]
    public async Task CompletesAChat()
    {
        var reference = CompletionsTests.Reference("Once upon a time");
        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Once upon a time")], Greedy);

        completion.Content[0].Text.Should().Be(reference.Text);
        completion.Role.Should().Be(ChatMessageRole.Assistant);
        completion.FinishReason.Should().Be(ChatFinishReason.Length);
        completion.Usage.OutputTokenCount.Should().Be(64);
        completion.Usage.InputTokenCount.Should().Be(reference.PromptTokens);
        completion.CreatedAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [SkippableFact]
    public async Task StreamsAChat()
    {
        var reference = CompletionsTests.Reference("Once upon a time");
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("Once upon a time")], Greedy))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
        }

        text.ToString().Should().Be(reference.Text);
        finish.Should().Be(ChatFinishReason.Length);
        usage!.OutputTokenCount.Should().Be(64);
    }
}
