namespace Grid.Engine.Compute.Sim;

/// <summary>
/// The numbers of a forward step that its cost depends on.
/// </summary>
/// <param name="Tokens">Tokens in the step (T).</param>
/// <param name="LogitRows">Tokens that need logits (L): only these go through the classifier.</param>
/// <param name="AttendedPositions">Sum over tokens of (position + 1): the keys each token's query attends to.</param>
/// <param name="KvReadPositions">
/// Sum over sequences of (highest position in the step + 1): cached tokens whose K and V the step reads.
/// Counted once per sequence, not per token, because attention kernels process a sequence's queries
/// in tiles that share each K/V load; counting per token would make a 2048-token prefill read
/// 2048 x 1024 positions on average and look memory-bound when it is compute-bound.
/// </param>
public readonly record struct StepWork(int Tokens, int LogitRows, long AttendedPositions, long KvReadPositions)
{
    /// <summary>One decode token for each of <paramref name="sequences"/> sequences, all at <paramref name="position"/>.</summary>
    public static StepWork Decode(int sequences, int position) =>
        new(sequences, sequences, (long)sequences * (position + 1), (long)sequences * (position + 1));

    /// <summary>A prefill chunk of one sequence: positions start..start+tokens-1, logits for the last when asked.</summary>
    public static StepWork Prefill(int tokens, int start = 0, bool wantLogits = true) =>
        new(tokens, wantLogits ? 1 : 0, (long)tokens * start + (long)tokens * (tokens + 1) / 2, start + tokens);

    /// <summary>
    /// Measures a batch whose positions are already validated. <paramref name="scratch"/> holds at
    /// least <see cref="ForwardBatch.SequenceCount"/> ints, so the caller decides where memory comes
    /// from; on return scratch[s] is sequence s's highest position in the step, or -1 if it has none.
    /// </summary>
    public static StepWork Of(ForwardBatch batch, Span<int> scratch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (scratch.Length < batch.SequenceCount)
            throw new ArgumentException($"scratch holds {scratch.Length} ints; the batch has {batch.SequenceCount} sequences", nameof(scratch));
        var highest = scratch[..batch.SequenceCount];
        highest.Fill(-1);
        long attended = 0;
        for (var t = 0; t < batch.TokenCount; t++)
        {
            var pos = batch.Positions[t];
            attended += pos + 1;
            ref var h = ref highest[batch.SequenceOf[t]];
            if (pos > h) h = pos;
        }

        long kvRead = 0;
        foreach (var h in highest) kvRead += h + 1;
        return new StepWork(batch.TokenCount, batch.LogitCount, attended, kvRead);
    }
}
