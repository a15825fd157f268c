namespace Grid.Grains;

/// <summary>One turn of a chat as a client sends it: "system", "user" or "assistant", and plain text.</summary>
[GenerateSerializer, Immutable, Alias("grid.ChatTurn")]
public sealed record ChatTurn(
    [property: Id(0)] string Role,
    [property: Id(1)] string Content);
