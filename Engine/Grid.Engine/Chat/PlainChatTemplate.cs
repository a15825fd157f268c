namespace Grid.Engine.Chat;

/// <summary>
/// For models with no chat format (story models such as stories260K): the prompt is the last user
/// message's text, which the model continues; earlier turns mean nothing to such a model.
/// </summary>
public sealed class PlainChatTemplate : IChatTemplate
{
    public string Name => "plain";

    public string Render(IReadOnlyList<ChatMessage> messages) =>
        messages.LastOrDefault(m => m.Role == "user")?.Content ?? string.Join("\n", messages.Select(m => m.Content));
}
