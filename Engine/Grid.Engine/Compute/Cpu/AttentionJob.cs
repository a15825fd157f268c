namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// Causal paged attention for every token of a batch: token t of sequence s attends over positions
/// 0..pos(t) of s, read block by block through s's block table, with an online softmax so no
/// score array grows with the context. One work item is (token, KV head): the query heads that
/// share the KV head read each key and value once. Items are taken dynamically, since a late
/// prefill token costs more than an early one.
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
        for (var w = 0; w < workers; w++) _scratch[w] = new float[_group * (headDim + 2 + kv.BlockSize)];
    }

    public void Run(WorkerPool pool, ForwardBatch batch, int layer, float* qkv, int qkvStride, float* output)
    {
        (_batch, _layer, _qkvStride, _next) = (batch, layer, qkvStride, 0);
        _qkv = qkv;
        _output = output;
        pool.Run(this);
    }

    public void Execute(int worker, int workers)
    {
        var items = _batch.TokenCount * _kvHeads;
        fixed (float* scratch = _scratch[worker])
        {
            for (var item = Interlocked.Increment(ref _next) - 1; item < items; item = Interlocked.Increment(ref _next) - 1)
                Attend(item / _kvHeads, item % _kvHeads, scratch);
        }
    }

    private void Attend(int t, int g, float* scratch)
    {
        int hd = _headDim, bs = _kv.BlockSize, kvDim = _kv.KvDim;
        var pos = _batch.Positions[t];
        var table = _batch.BlockTables[_batch.SequenceOf[t]];
        var scale = 1f / MathF.Sqrt(hd);
        var q = _qkv + (long)t * _qkvStride + g * _group * hd;
        var acc = scratch;
        var max = acc + _group * hd;
        var sum = max + _group;
        var scores = sum + _group;
        for (var h = 0; h < _group; h++)
        {
            max[h] = float.NegativeInfinity;
            sum[h] = 0;
        }
        new Span<float>(acc, _group * hd).Clear();

        for (var b = 0; b * bs <= pos; b++)
        {
            var n = Math.Min(bs, pos + 1 - b * bs);
            var k = _kv.K(_layer, table[b]) + g * hd;
            var v = _kv.V(_layer, table[b]) + g * hd;
            for (var h = 0; h < _group; h++)
            {
                var qh = q + h * hd;
                var s = scores + h * bs;
                var blockMax = float.NegativeInfinity;
                for (var i = 0; i < n; i++)
                {
                    s[i] = VectorMath.Dot(qh, k + i * kvDim, hd) * scale;
                    blockMax = MathF.Max(blockMax, s[i]);
                }
                var newMax = MathF.Max(max[h], blockMax);
                var correction = MathF.Exp(max[h] - newMax);
                max[h] = newMax;
                var ah = acc + h * hd;
                var total = sum[h] * correction;
                for (var i = 0; i < n; i++)
                {
                    var p = MathF.Exp(s[i] - newMax);
                    total += p;
                    VectorMath.ScaleAdd(ah, i == 0 ? correction : 1f, p, v + i * kvDim, hd);
                }
                sum[h] = total;
            }
        }

        var o = _output + (long)t * _heads * hd + g * _group * hd;
        for (var h = 0; h < _group; h++)
        {
            var inv = 1f / sum[h];
            for (var i = 0; i < hd; i++) o[h * hd + i] = acc[h * hd + i] * inv;
        }
    }
}
