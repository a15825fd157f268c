using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Models;

/// <summary>A loaded model: hyperparameters, weights and tokenizer, and whatever memory backs them.</summary>
public sealed class Model(string source, ModelConfig config, ModelWeights weights, ITokenizer tokenizer, IReadOnlyList<IDisposable> owned)
    : IDisposable
{
    public string Source { get; } = source;
    public ModelConfig Config { get; } = config;
    public ModelWeights Weights { get; } = weights;
    public ITokenizer Tokenizer { get; } = tokenizer;

    /// <summary>The GGUF file's <c>tokenizer.chat_template</c> (Jinja text), so a server can format chats as the model was trained; null when absent.</summary>
    public string? ChatTemplate { get; init; }

    public void Dispose()
    {
        foreach (var o in owned) o.Dispose();
    }
}
