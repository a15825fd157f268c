namespace Grid.Engine.Chat;

/// <summary>One turn of a chat: who spoke ("system", "user", "assistant") and what they said, as plain text.</summary>
public sealed record ChatMessage(string Role, string Content);
