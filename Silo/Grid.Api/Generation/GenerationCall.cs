using Grid.Engine.Chat;
using Grid.Engine.Sampling;

namespace Grid.Api.Generation;

/// <summary>
/// One generation: a chat (formatted with the model's template) or a raw prompt, and how to sample.
/// <see cref="MaxTokens"/> null means until the context is full; it overrides <see cref="SamplingOptions.MaxTokens"/>.
/// </summary>
public sealed record GenerationCall(string Model, SamplingOptions Options)
{
    public string? Prompt { get; init; }
    public IReadOnlyList<ChatMessage>? Messages { get; init; }
    public int? MaxTokens { get; init; }
}
