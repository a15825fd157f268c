namespace Grid.Bench;

/// <summary>
/// One inference engine under test, loaded with one GGUF file. Each call times only the work it names,
/// so setup (contexts, untimed prompts) never leaks into a measurement.
/// </summary>
public interface IBenchEngine : IDisposable
{
    string Name { get; }

    /// <summary>Prefills <paramref name="prompt"/> into a fresh sequence and returns the time of the forward pass
    /// (including picking the next token from the last position's logits).</summary>
    TimeSpan Prefill(int[] prompt);

    /// <summary>
    /// Gives each of <paramref name="sequences"/> sequences <paramref name="prompt"/> (untimed), then runs
    /// <paramref name="tokens"/> greedy decode steps with all sequences batched per step, and returns the time
    /// of those steps only; greedy argmax per sequence is part of each step.
    /// </summary>
    TimeSpan Decode(int[] prompt, int sequences, int tokens);

    /// <summary>Clears all KV state so the next call starts from empty sequences.</summary>
    void Reset();
}
