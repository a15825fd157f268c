namespace Grid.Engine.Chat;

/// <summary>Turns a chat into the prompt text a model family was trained on, ending where the assistant speaks next.</summary>
/// <remarks>The text leaves out the leading BOS: the tokenizer adds it when the model wants one.</remarks>
public interface IChatTemplate
{
    /// <summary>A short name for logs and configuration ("llama2", "llama3", "chatml", "mistral", "plain").</summary>
    string Name { get; }

    string Render(IReadOnlyList<ChatMessage> messages);
}
