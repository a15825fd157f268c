namespace Grid.Engine.Sampling;

/// <summary>Repetition, presence and frequency penalties, applied in place with scratch sized once for the vocabulary.</summary>
internal sealed class LogitPenalties(int vocabSize)
{
    // Per-token marks so each token is penalised once however often it occurs; a new stamp per call
    // replaces clearing the whole array.
    private readonly int[] _seen = new int[vocabSize];
    private readonly int[] _counts = new int[vocabSize];
    private int _stamp;

    public void Apply(Span<float> logits, SamplingOptions o, ReadOnlySpan<int> prompt, ReadOnlySpan<int> generated)
    {
        if (o.RepetitionPenalty != 1f)
        {
            if (++_stamp == int.MaxValue) { Array.Clear(_seen); _stamp = 1; }
            Repeat(logits, prompt, o.RepetitionPenalty);
            Repeat(logits, generated, o.RepetitionPenalty);
        }
        if (o.PresencePenalty == 0f && o.FrequencyPenalty == 0f) return;
        foreach (var t in generated) _counts[t]++;
        foreach (var t in generated)
        {
            var n = _counts[t];
            if (n == 0) continue;
            logits[t] -= n * o.FrequencyPenalty + o.PresencePenalty;
            _counts[t] = 0;
        }
    }

    private void Repeat(Span<float> logits, ReadOnlySpan<int> tokens, float penalty)
    {
        foreach (var t in tokens)
        {
            if (_seen[t] == _stamp) continue;
            _seen[t] = _stamp;
            var l = logits[t];
            logits[t] = l > 0 ? l / penalty : l * penalty;
        }
    }
}
