namespace Grid.Grains;

/// <summary>
/// A prompt before tokenization: plain text, or a chat the model's own template renders. A silo that
/// serves the model turns it into tokens, so clients never need the model's tokenizer.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.PromptText")]
public sealed record PromptText
{
    [Id(0)] public string? Text { get; init; }
    [Id(1)] public ChatTurn[]? Messages { get; init; }

    public static PromptText Plain(string text) => new() { Text = text };

    public static PromptText Chat(params ChatTurn[] messages) => new() { Messages = messages };

    public bool SameAs(PromptText? other) =>
        other is not null && Text == other.Text && (Messages ?? []).SequenceEqual(other.Messages ?? []);
}
