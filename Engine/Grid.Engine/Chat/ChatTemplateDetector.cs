using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Chat;

/// <summary>
/// Picks a model's chat format: from the marker strings in its GGUF <c>tokenizer.chat_template</c>,
/// else from its architecture and the special tokens its vocabulary holds, else plain text.
/// </summary>
public static class ChatTemplateDetector
{
    public static readonly IReadOnlyList<IChatTemplate> All =
        [new Llama2ChatTemplate(), new Llama3ChatTemplate(), new ChatMlTemplate(), new MistralChatTemplate(), new PlainChatTemplate()];

    /// <summary>The template called <paramref name="name"/>, or null.</summary>
    public static IChatTemplate? ByName(string name) => All.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public static IChatTemplate Detect(string? chatTemplate, string architecture, ITokenizer tokenizer) =>
        FromTemplateText(chatTemplate) ?? FromVocabulary(architecture, tokenizer);

    /// <summary>The family a Jinja chat template belongs to, by the markers it writes; null when none is recognised.</summary>
    public static IChatTemplate? FromTemplateText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        // Order matters: Llama 2 templates also write [INST], so <<SYS>> is looked for before it.
        if (text.Contains("<|start_header_id|>", StringComparison.Ordinal)) return ByName("llama3");
        if (text.Contains("<|im_start|>", StringComparison.Ordinal)) return ByName("chatml");
        if (text.Contains("<<SYS>>", StringComparison.Ordinal)) return ByName("llama2");
        if (text.Contains("[INST]", StringComparison.Ordinal)) return ByName("mistral");
        return null;
    }

    private static IChatTemplate FromVocabulary(string architecture, ITokenizer tokenizer)
    {
        if (IsSingleToken(tokenizer, "<|start_header_id|>")) return ByName("llama3")!;
        if (architecture == "qwen2" || IsSingleToken(tokenizer, "<|im_start|>")) return ByName("chatml")!;
        return ByName("plain")!;
    }

    // A special token the tokenizer knows encodes to itself alone; to a vocabulary without it, it is several pieces.
    private static bool IsSingleToken(ITokenizer tokenizer, string text) => tokenizer.Encode(text, addBos: false).Length == 1;
}
