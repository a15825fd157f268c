namespace Grid.Cuda.Backend;

/// <summary>
/// Splits a step's tokens into nano-batches (NanoFlow): contiguous token ranges that end on sequence
/// boundaries, as even in tokens as those boundaries allow, so each can run its layers on its own CUDA
/// stream while another's matrix products run.
/// </summary>
public static class NanoBatches
{
    /// <summary>
    /// Writes up to <paramref name="count"/> ranges (start, length) into <paramref name="ranges"/> and returns how many;
    /// one range (the whole batch) when the plan's sequences are not contiguous or there are fewer sequences than nano-batches.
    /// </summary>
    public static int Split(StepPlan plan, int count, Span<(int Start, int Length)> ranges)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one nano-batch");
        if (plan.TokenCount == 0) return 0;
        if (count == 1 || !plan.Contiguous || plan.SequenceCount < count)
        {
            ranges[0] = (0, plan.TokenCount);
            return 1;
        }
        var made = 0;
        var start = 0;
        var remaining = plan.TokenCount;
        // Sequences in batch order: the batch's tokens run sequence by sequence when contiguous.
        var s = FirstSequenceAt(plan, 0);
        while (made < count - 1 && s >= 0)
        {
            var target = (double)remaining / (count - made);
            var end = start;
            // Take whole sequences until the range reaches its share, keeping at least one sequence per later range.
            while (s >= 0 && end - start < target)
            {
                end += plan.SequenceTokens[s];
                s = FirstSequenceAt(plan, end);
            }
            if (end == start || end >= plan.TokenCount) break;
            ranges[made++] = (start, end - start);
            remaining -= end - start;
            start = end;
        }
        ranges[made++] = (start, plan.TokenCount - start);
        return made;
    }

    private static int FirstSequenceAt(StepPlan plan, int token) => token < plan.TokenCount ? plan.TokenSequence[token] : -1;
}
