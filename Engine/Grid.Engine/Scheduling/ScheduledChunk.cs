namespace Grid.Engine.Scheduling;

/// <summary>A step's work for one sequence: compute tokens [Start, Start + Count); logits if that reaches its end.</summary>
internal readonly record struct ScheduledChunk(Sequence Sequence, int Start, int Count)
{
    public bool NeedsLogits => Start + Count == Sequence.Length;
}
