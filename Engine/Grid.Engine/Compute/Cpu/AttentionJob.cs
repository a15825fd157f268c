using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// Causal paged attention for every token of a batch: token t of sequence s attends over positions
/// 0..pos(t) of s, read block by block through s's block table, with an online softmax so no
/// score array grows with the context. A work item is a token and a range of its KV heads, as
/// few ranges as keep every worker busy: it walks the token's blocks once, reading each block's
/// heads as one contiguous run, and the query heads that share a KV head read it once. Items are
/// taken dynamically, since a late prefill token costs more than an early one.
/// </summary>
internal sealed unsafe class AttentionJob : IParallelWork
{
    private readonly KvPool _kv;
    private readonly int _heads, _kvHeads, _headDim, _group;
    private readonly float[][] _scratch;
    private ForwardBatch _batch = null!;
    private float* _qkv;
    private float* _output;
    private int _qkvStride, _layer, _next;

    public AttentionJob(KvPool kv, int heads, int kvHeads, int headDim, int workers)
    {
        (_kv, _heads, _kvHeads, _headDim) = (kv, heads, kvHeads, headDim);
        _group = heads / kvHeads;
        // Per worker: the group's output accumulators, running max and sum, and one block of scores per head.
        _scratch = new float[workers][];
        for (var w = 0; w < workers; w++) _scratch[w] = new float[heads * (headDim + 2 + kv.BlockSize)];
    }

    public void Run(WorkerPool pool, ForwardBatch batch, int layer, float* qkv, int qkvStride, float* output)
    {
        (_batch, _layer, _qkvStride, _next) = (batch, layer, qkvStride, 0);
        _qkv = qkv;
        _output = output;
        // Enough items to keep every worker busy, each as many whole KV heads as that allows: an item
        // walks its token's blocks once, reading each block's heads as one contiguous run.
        _splits = Math.Clamp(4 * pool.Workers / Math.Max(1, batch.TokenCount), 1, _kvHeads);
        pool.Run(this);
    }

    private int _splits;

    public void Execute(int worker, int workers)
    {
        var items = _batch.TokenCount * _splits;
        fixed (float* scratch = _scratch[worker])
        {
            for (var item = Interlocked.Increment(ref _next) - 1; item < items; item = Interlocked.Increment(ref _next) - 1)
            {
                var (t, part) = (item / _splits, item % _splits);
                var (g0, g1) = WorkerPool.Share(_kvHeads, part, _splits);
                Attend(t, g0, g1, scratch);
            }
        }
    }

    /// <summary>
    /// s[i] = q . K[slot i] * scale for the block's first n slots, K transposed ([dimension][slot]).
    /// With blocks a multiple of 16 slots, sixteen slots at a time in one vector (a partial last chunk
    /// computes stale slots too, which the caller never reads); four accumulators over dimensions
    /// keep the FMA pipes busy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores(float* q, float* k, int hd, int bs, int n, float scale, float* s)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated && bs % 16 == 0)
        {
            for (; i < n; i += 16)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                var d = 0;
                for (; d + 4 <= hd; d += 4)
                {
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d]), Vector512.Load(k + d * bs + i), a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d + 1]), Vector512.Load(k + (d + 1) * bs + i), a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d + 2]), Vector512.Load(k + (d + 2) * bs + i), a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d + 3]), Vector512.Load(k + (d + 3) * bs + i), a3);
                }
                for (; d < hd; d++) a0 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d]), Vector512.Load(k + d * bs + i), a0);
                ((a0 + a1 + (a2 + a3)) * scale).Store(s + i);
            }
            return;
        }
        for (; i < n; i++)
        {
            var sum = 0f;
            for (var d = 0; d < hd; d++) sum += q[d] * k[d * bs + i];
            s[i] = sum * scale;
        }
    }

    private static readonly Vector512<int> Lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>
    /// One 16-slot block for one query head, all in registers: the block's scores as one vector, its
    /// softmax terms as one vector exponential, and the output accumulated 16 dimensions at a time
    /// over the block's values, so each accumulator is loaded and stored once per block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block16(float* q, float* k, float* v, int hd, int n, float scale, float* max, float* sum, float* acc)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var d = 0; d < hd; d += 4)
        {
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d]), Vector512.Load(k + d * 16), a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d + 1]), Vector512.Load(k + (d + 1) * 16), a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d + 2]), Vector512.Load(k + (d + 2) * 16), a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(q[d + 3]), Vector512.Load(k + (d + 3) * 16), a3);
        }
        var s = (a0 + a1 + (a2 + a3)) * scale;
        if (n < 16) s = Vector512.ConditionalSelect(Vector512.LessThan(Lanes, Vector512.Create(n)).AsSingle(), s, Vector512.Create(float.NegativeInfinity));
        var m256 = Vector256.Max(s.GetLower(), s.GetUpper());
        var m128 = Vector128.Max(m256.GetLower(), m256.GetUpper());
        var blockMax = MathF.Max(MathF.Max(m128[0], m128[1]), MathF.Max(m128[2], m128[3]));
        var newMax = MathF.Max(*max, blockMax);
        var correction = MathF.Exp(*max - newMax);
        *max = newMax;
        var p = Vector512.Exp(s - Vector512.Create(newMax));
        *sum = *sum * correction + Vector512.Sum(p);
        var weights = stackalloc float[16];
        p.Store(weights);
        for (var c = 0; c < hd; c += 16)
        {
            var o = Vector512.Load(acc + c) * correction;
            for (var i = 0; i < n; i++) o = Vector512.FusedMultiplyAdd(Vector512.Create(weights[i]), Vector512.Load(v + i * hd + c), o);
            o.Store(acc + c);
        }
    }

    // Long loops on worker threads: compiled fully optimised at once, not left in tier 0 waiting for OSR.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Attend(int t, int g0, int g1, float* scratch)
    {
        int hd = _headDim, bs = _kv.BlockSize;
        var pos = _batch.Positions[t];
        var table = _batch.BlockTables[_batch.SequenceOf[t]];
        var scale = 1f / MathF.Sqrt(hd);
        var heads = (g1 - g0) * _group;
        var q = _qkv + (long)t * _qkvStride + g0 * _group * hd;
        var acc = scratch;
        var max = acc + heads * hd;
        var sum = max + heads;
        var scores = sum + heads;
        for (var h = 0; h < heads; h++)
        {
            max[h] = float.NegativeInfinity;
            sum[h] = 0;
        }
        new Span<float>(acc, heads * hd).Clear();
        var fast = bs == 16 && hd % 16 == 0 && Vector512.IsHardwareAccelerated;

        for (var b = 0; b * bs <= pos; b++)
        {
            var n = Math.Min(bs, pos + 1 - b * bs);
            for (var h = 0; h < heads; h++)
            {
                var g = g0 + h / _group;
                var k = _kv.K(_layer, table[b], g);
                var v = _kv.V(_layer, table[b], g);
                if (fast)
                {
                    Block16(q + h * hd, k, v, hd, n, scale, max + h, sum + h, acc + h * hd);
                    continue;
                }
                Scores(q + h * hd, k, hd, bs, n, scale, scores + h * bs);
                var s = new Span<float>(scores + h * bs, n);

                // Online softmax a block at a time: one rescale of the accumulator per block, the
                // block's exponentials computed together.
                var newMax = MathF.Max(max[h], TensorPrimitives.Max(s));
                var correction = MathF.Exp(max[h] - newMax);
                max[h] = newMax;
                TensorPrimitives.Subtract(s, newMax, s);
                TensorPrimitives.Exp(s, s);
                sum[h] = sum[h] * correction + TensorPrimitives.Sum(s);
                var ah = acc + h * hd;
                var output = new Span<float>(ah, hd);
                if (correction != 1f) TensorPrimitives.Multiply(output, correction, output);
                for (var i = 0; i < n; i++) VectorMath.Axpy(ah, s[i], v + i * hd, hd);
            }
        }

        var o = _output + (long)t * _heads * hd + g0 * _group * hd;
        for (var h = 0; h < heads; h++)
        {
            var inv = 1f / sum[h];
            for (var i = 0; i < hd; i++) o[h * hd + i] = acc[h * hd + i] * inv;
        }
    }
}
