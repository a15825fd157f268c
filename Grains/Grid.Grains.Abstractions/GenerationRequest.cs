namespace Grid.Grains;

/// <summary>
/// What a client asks for: a model, the prompt (token ids, or <see cref="Text"/> that a silo serving the
/// model tokenizes), how to sample, and a priority (lower first).
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.GenerationRequest")]
public sealed record GenerationRequest(
    [property: Id(0)] string Model,
    [property: Id(1)] int[] PromptTokens,
    [property: Id(2)] GenerationOptions Options,
    [property: Id(3)] int Priority = 0)
{
    /// <summary>Set instead of <see cref="PromptTokens"/> (left empty): the request grain has it encoded by a silo serving the model.</summary>
    [Id(4)] public PromptText? Text { get; init; }

    /// <summary>What the caller calls this operation, for metrics (gen_ai.operation.name: chat, text_completion); when null, a chat prompt says chat, any other text_completion.</summary>
    [Id(5)] public string? Operation { get; init; }

    public static GenerationRequest FromText(string model, PromptText text, GenerationOptions options, int priority = 0) =>
        new(model, [], options, priority) { Text = text };

    /// <summary>The same request: same model, priority and prompt (tokens or text). Options may differ only by reference.</summary>
    public bool SameAs(GenerationRequest other) =>
        Model == other.Model && Priority == other.Priority && PromptTokens.SequenceEqual(other.PromptTokens)
        && (Text is null ? other.Text is null : Text.SameAs(other.Text));
}
