using Grid.Client;
using Microsoft.Extensions.AI;

namespace Grid.Client.Tests;

public static class ChatClients
{
    public static GridChatClient For(GridCluster grid) =>
        new(grid.Client, new GridChatClientOptions { Model = StoriesModel.Id, RetryDelay = TimeSpan.FromMilliseconds(50) });

    /// <summary>Greedy, a fixed number of tokens whatever the model says (so outputs compare with run.c's).</summary>
    public static ChatOptions Greedy(int maxTokens = 64) => new()
    {
        Temperature = 0,
        MaxOutputTokens = maxTokens,
        AdditionalProperties = new AdditionalPropertiesDictionary { ["ignore_eos"] = true },
    };

    public static ChatMessage[] Ask(string text) => [new(ChatRole.User, text)];

    /// <summary>The token ids behind updates (each carries its grid chunk).</summary>
    public static int[] Tokens(IEnumerable<ChatResponseUpdate> updates) =>
        updates.SelectMany(u => ((TokenChunk)u.RawRepresentation!).Tokens).ToArray();
}
