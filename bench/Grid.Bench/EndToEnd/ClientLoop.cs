using Grid.Client;
using Microsoft.Extensions.AI;

namespace Grid.Bench.EndToEnd;

/// <summary>The closed loop through <see cref="GridChatClient"/>, an Orleans client connected to the silo's gateway.</summary>
public static class ClientLoop
{
    public static Task<List<StreamRecord>> Run(IChatClient chat, IReadOnlyList<string> prompts, int streams, int outputTokens)
    {
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = outputTokens,
            AdditionalProperties = new AdditionalPropertiesDictionary { ["ignore_eos"] = true },
        };
        return ClosedLoop.Run(prompts.Count, streams, async (i, firstToken) =>
        {
            UsageDetails? usage = null;
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, prompts[i])], options))
            {
                if (!string.IsNullOrEmpty(update.Text)) firstToken();
                usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
            }
            return ((int)(usage?.InputTokenCount ?? 0), (int)(usage?.OutputTokenCount ?? 0));
        });
    }
}
