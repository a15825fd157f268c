namespace Grid.Grains;

/// <summary>Why generation ended, in the OpenAI API's words where it has them.</summary>
[GenerateSerializer, Alias("grid.GenerationFinish")]
public enum GenerationFinish
{
    /// <summary>An end-of-sequence or stop token, or a stop string.</summary>
    Stop,

    /// <summary>max_tokens, or the model's context is full.</summary>
    Length,

    /// <summary>Cancelled by the client or an operator.</summary>
    Abort,

    /// <summary>The grid could not run it (no GPU serves the model, or the engine refused it); see the status's error.</summary>
    Error,
}
