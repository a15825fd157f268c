using Grid.Engine.Chat;
using Grid.Engine.Models;

namespace Grid.Grains;

/// <summary>Turns a <see cref="PromptText"/> into one model's tokens: chats through the model's chat template, then its tokenizer.</summary>
public sealed class PromptEncoder(Model model)
{
    private readonly IChatTemplate _template = ChatTemplateDetector.Detect(model.ChatTemplate, model.Config.Architecture, model.Tokenizer);

    public EncodedPrompt Encode(PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if ((prompt.Text is null) == (prompt.Messages is null))
            throw new ArgumentException("a prompt is either text or chat messages, exactly one of them");
        if (prompt.Messages is { Length: 0 }) throw new ArgumentException("the chat has no messages");
        var text = prompt.Text ?? _template.Render(prompt.Messages!.Select(m => new ChatMessage(m.Role, m.Content ?? "")).ToList());
        var tokens = model.Tokenizer.Encode(text);
        var context = model.Config.ContextLength;
        if (tokens.Length == 0) throw new ArgumentException("the prompt is empty and this model adds no BOS token to start from");
        if (tokens.Length >= context)
            throw new ArgumentException($"this model's maximum context length is {context} tokens; the prompt has {tokens.Length}, leaving no room to generate");
        return new EncodedPrompt(tokens, context);
    }
}
