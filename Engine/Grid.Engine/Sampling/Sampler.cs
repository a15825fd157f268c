using System.Numerics.Tensors;

namespace Grid.Engine.Sampling;

/// <summary>
/// Picks the next token from logits: penalties, then greedy or temperature, top-k, softmax, top-p, min-p and a
/// draw whose random number depends only on (seed, position). All scratch is sized for the vocabulary up
/// front; a call allocates nothing but the top-logprobs list when one is asked for. Not thread-safe: one per
/// engine thread.
/// </summary>
public sealed class Sampler
{
    // Top-p first gathers tokens above a falling probability threshold and sorts only those; the last
    // threshold, (1 - p) / V, provably leaves out less than 1 - p of the mass.
    private static readonly float[] TopPThresholds = [1e-3f, 1e-5f];

    private readonly LogitPenalties _penalties;
    private readonly float[] _p;
    private readonly float[] _keys;
    private readonly int[] _ids;
    private readonly float[] _topValues = new float[SamplingOptions.MaxLogProbs];
    private readonly int[] _topIds = new int[SamplingOptions.MaxLogProbs];

    public Sampler(int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        VocabSize = vocabSize;
        _penalties = new LogitPenalties(vocabSize);
        _p = new float[vocabSize];
        _keys = new float[vocabSize];
        _ids = new int[vocabSize];
    }

    public int VocabSize { get; }

    /// <summary>
    /// Chooses a token. <paramref name="logits"/> is penalised in place. Log-probabilities describe the model's
    /// distribution after penalties and before temperature and truncation, as OpenAI reports them.
    /// </summary>
    public SampledToken Sample(Span<float> logits, SamplingOptions o, ulong seed, int position,
        ReadOnlySpan<int> promptTokens, ReadOnlySpan<int> generatedTokens)
    {
        if (logits.Length != VocabSize) throw new ArgumentException($"expected {VocabSize} logits, got {logits.Length}", nameof(logits));
        _penalties.Apply(logits, o, promptTokens, generatedTokens);
        // A temperature so small that its inverse overflows is greedy in all but name.
        var greedy = o.Temperature == 0f || float.IsInfinity(1f / o.Temperature);
        var id = greedy ? TensorPrimitives.IndexOfMax(logits) : Draw(logits, o, SampleRandom.Uniform(seed, position));
        if (o.LogProbs <= 0) return new SampledToken(id, float.NaN, null);

        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, _p);
        TensorPrimitives.Exp(_p, _p);
        var logZ = max + MathF.Log(TensorPrimitives.Sum(_p));
        return new SampledToken(id, logits[id] - logZ, TopLogProbs(logits, Math.Min(o.LogProbs, VocabSize), logZ));
    }

    private int Draw(ReadOnlySpan<float> logits, SamplingOptions o, double u)
    {
        // Candidates live in _ids/_p, sorted most likely first, once anything truncates; until then
        // (n == -1) they are the whole vocabulary with _p indexed by id.
        int n;
        float total;
        if (o.TopK > 0 && o.TopK < VocabSize)
        {
            n = TopK(logits, o.TopK, 1f / o.Temperature);
            total = TensorPrimitives.Sum(_p.AsSpan(0, n));
        }
        else
        {
            var p = _p.AsSpan();
            // Subtracting the maximum before scaling keeps a small temperature from overflowing to inf - inf.
            TensorPrimitives.Subtract(logits, TensorPrimitives.Max(logits), p);
            TensorPrimitives.Multiply(p, 1f / o.Temperature, p);
            TensorPrimitives.Exp(p, p);
            total = TensorPrimitives.Sum(p);
            n = -1;
        }
        if (o.TopP < 1f)
        {
            if (n < 0) n = GatherForTopP(o.TopP, total);
            var cum = 0f;
            for (var i = 0; i < n; i++)
                if ((cum += _p[i]) >= o.TopP * total) { n = i + 1; break; }
        }
        // The most likely candidate has p = 1 (its logit was subtracted), so min-p compares against MinP itself.
        if (o.MinP > 0f) n = n < 0 ? GatherAtLeast(o.MinP) : CountAtLeast(n, o.MinP);

        return n < 0 ? Pick(_p, null, u) : Pick(_p.AsSpan(0, n), _ids.AsSpan(0, n), u);
    }

    private int TopK(ReadOnlySpan<float> logits, int k, float invTemperature)
    {
        var keys = _keys.AsSpan();
        var ids = _ids.AsSpan();
        TensorPrimitives.Negate(logits, keys);
        for (var i = 0; i < ids.Length; i++) ids[i] = i;
        PartialSelect.Smallest(keys, ids, k);
        keys[..k].Sort(ids[..k]);
        for (var i = 0; i < k; i++) _p[i] = MathF.Exp((keys[0] - keys[i]) * invTemperature);
        return k;
    }

    private int GatherForTopP(float topP, float total)
    {
        // Find the highest threshold whose tokens hold enough mass before moving anything: gathering
        // overwrites _p, which the next threshold would have to read by id.
        var threshold = (1f - topP) / VocabSize * total;
        foreach (var t in TopPThresholds)
            if (MassAtLeast(t * total) >= topP * total)
            {
                threshold = t * total;
                break;
            }
        return GatherSorted(threshold);
    }

    private float MassAtLeast(float threshold)
    {
        var mass = 0f;
        foreach (var p in _p)
            if (p >= threshold) mass += p;
        return mass;
    }

    /// <summary>Moves tokens with p >= threshold to the front of _ids/_p, most likely first.</summary>
    private int GatherSorted(float threshold)
    {
        var n = 0;
        for (var id = 0; id < VocabSize; id++)
        {
            var p = _p[id];
            if (p < threshold) continue;
            _ids[n] = id;
            _keys[n++] = -p;
        }
        // _p is overwritten only now, after every by-id read.
        _keys.AsSpan(0, n).Sort(_ids.AsSpan(0, n));
        for (var i = 0; i < n; i++) _p[i] = -_keys[i];
        return n;
    }

    /// <summary>Compacts the whole vocabulary to tokens with p >= threshold, in id order.</summary>
    private int GatherAtLeast(float threshold)
    {
        // Writes go to index n <= id, so no by-id value is overwritten before it is read.
        var n = 0;
        for (var id = 0; id < VocabSize; id++)
        {
            if (_p[id] < threshold) continue;
            _p[n] = _p[id];
            _ids[n++] = id;
        }
        return n;
    }

    private int CountAtLeast(int n, float threshold)
    {
        var kept = 1;
        while (kept < n && _p[kept] >= threshold) kept++;
        return kept;
    }

    /// <summary>The candidate where the running sum first passes u times the total; ids null means index = id.</summary>
    private static int Pick(ReadOnlySpan<float> p, ReadOnlySpan<int> ids, double u)
    {
        var target = u * TensorPrimitives.Sum(p);
        var cum = 0.0;
        var last = 0;
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] <= 0f) continue;
            last = i;
            if ((cum += p[i]) > target) break;
        }
        return ids.IsEmpty ? last : ids[last];
    }

    private TokenLogProb[] TopLogProbs(ReadOnlySpan<float> logits, int n, float logZ)
    {
        // Insertion into a short sorted list: strict > while scanning ids upward keeps lower ids first on ties.
        var count = 0;
        for (var id = 0; id < logits.Length; id++)
        {
            var v = logits[id];
            if (count == n && !(v > _topValues[n - 1])) continue;
            var at = count < n ? count++ : n - 1;
            while (at > 0 && v > _topValues[at - 1])
            {
                _topValues[at] = _topValues[at - 1];
                _topIds[at] = _topIds[at - 1];
                at--;
            }
            _topValues[at] = v;
            _topIds[at] = id;
        }
        var result = new TokenLogProb[count];
        for (var i = 0; i < count; i++) result[i] = new TokenLogProb(_topIds[i], _topValues[i] - logZ);
        return result;
    }
}
