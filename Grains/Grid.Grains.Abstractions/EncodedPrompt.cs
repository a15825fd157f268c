namespace Grid.Grains;

/// <summary>A prompt as a model's tokenizer encoded it, with the model's context length (prompt + output must fit).</summary>
[GenerateSerializer, Immutable, Alias("grid.EncodedPrompt")]
public sealed record EncodedPrompt(
    [property: Id(0)] int[] Tokens,
    [property: Id(1)] int ContextLength);
