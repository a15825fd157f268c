namespace Grid.Engine.Scheduling;

/// <summary>Why a sequence stopped, in the OpenAI API's words where it has them.</summary>
public enum FinishReason
{
    /// <summary>An end-of-sequence or stop token, or a stop string.</summary>
    Stop,

    /// <summary>max_tokens, or the model's context is full.</summary>
    Length,

    /// <summary>Cancelled by the client or an operator.</summary>
    Abort,
}
