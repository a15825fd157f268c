using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// The CPU backend: F32 activations over F32, F16, BF16 or Q8_0 weights repacked into panels,
/// a paged KV pool in host memory, and persistent workers. All buffers are sized at construction
/// for <see cref="CpuBackendOptions.MaxBatchTokens"/>, so a forward allocates nothing.
/// </summary>
public sealed unsafe class CpuBackend : IComputeBackend
{
    private readonly Model _model;
    private readonly CpuWeights _w;
    private readonly KvPool _kv;
    private readonly WorkerPool _pool;
    private readonly MatMulJob _matmul;
    private readonly AttentionJob _attention;
    private readonly Rotary _rotary;
    private readonly ActivationBuffers _a;

    public CpuBackend(Model model, CpuBackendOptions? options = null)
    {
        options ??= new CpuBackendOptions();
        options.Validate();
        _model = model;
        Config = model.Config;
        BlockSize = options.BlockSize;
        BlockCount = options.BlockCount;
        MaxBatchTokens = options.MaxBatchTokens;
        var threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;

        _w = new CpuWeights(model);
        _kv = new KvPool(Config, BlockCount, BlockSize);
        _pool = new WorkerPool(threads);
        _a = new ActivationBuffers(Config, MaxBatchTokens, threads);
        Kernels = CpuKernelSupport.Resolve(options.Kernels);
        _matmul = new MatMulJob(_a.Scratch, _a.Partial, Kernels);
        _attention = new AttentionJob(_kv, Config.Heads, Config.KvHeads, Config.HeadDim, threads);
        _rotary = new Rotary(Config, MaxBatchTokens);
    }

    public ModelConfig Config { get; }
    public int BlockSize { get; }
    public int BlockCount { get; }
    public int MaxBatchTokens { get; }

    /// <summary>The instruction set the matrix kernels run on.</summary>
    public CpuKernels Kernels { get; }

    /// <summary>Bytes of weights one decode step streams (the roofline's numerator).</summary>
    public long WeightBytesPerToken => _w.BytesPerToken;

    public void Forward(ForwardBatch batch, Span<float> logits)
    {
        var c = Config;
        var n = batch.TokenCount;
        if (n == 0) return;
        batch.Validate(c, BlockSize, BlockCount, MaxBatchTokens, logits.Length);

        int dim = c.Dim, kvDim = c.KvDim, hidden = c.HiddenDim, qkvDim = dim + 2 * kvDim;
        var a = _a;
        for (var t = 0; t < n; t++) _model.Weights.TokenEmbedding.DequantizeRow(batch.Tokens[t], new Span<float>(a.X + (long)t * dim, dim));
        _rotary.Prepare(batch.Positions.AsSpan(0, n));

        for (var l = 0; l < c.Layers; l++)
        {
            var w = _w.Layers[l];
            for (var t = 0; t < n; t++) VectorMath.RmsNorm(a.X + (long)t * dim, w.AttnNorm, a.Xb + (long)t * dim, dim, c.RmsEps);
            _matmul.Run(_pool, w.Qkv, a.Xb, n, a.Qkv, qkvDim);
            for (var t = 0; t < n; t++)
            {
                var row = a.Qkv + (long)t * qkvDim;
                if (w.QkvBias != null) for (var i = 0; i < qkvDim; i++) row[i] += w.QkvBias[i];
                _rotary.Apply(row, c.Heads, t);
                _rotary.Apply(row + dim, c.KvHeads, t);
                StoreKv(batch, t, l, row + dim, row + dim + kvDim);
            }
            _attention.Run(_pool, batch, l, a.Qkv, qkvDim, a.Att);
            _matmul.Run(_pool, w.Wo, a.Att, n, a.Xb, dim);
            Add(a.X, a.Xb, (long)n * dim);

            for (var t = 0; t < n; t++) VectorMath.RmsNorm(a.X + (long)t * dim, w.FfnNorm, a.Xb + (long)t * dim, dim, c.RmsEps);
            _matmul.Run(_pool, w.GateUp, a.Xb, n, a.Ffn, 2 * hidden);
            for (var t = 0; t < n; t++) SwiGlu(a.Ffn + (long)t * 2 * hidden, a.Hb + (long)t * hidden, hidden);
            _matmul.Run(_pool, w.Down, a.Hb, n, a.Xb, dim);
            Add(a.X, a.Xb, (long)n * dim);
        }

        // A prefill chunk that needs no logits skips the classifier, often the largest matrix of all.
        if (batch.LogitCount == 0) return;
        for (var r = 0; r < batch.LogitCount; r++)
            VectorMath.RmsNorm(a.X + (long)batch.LogitRows[r] * dim, _w.FinalNorm, a.Xb + (long)r * dim, dim, c.RmsEps);
        fixed (float* output = logits)
            _matmul.Run(_pool, _w.Output, a.Xb, batch.LogitCount, output, c.VocabSize);
    }

    private void StoreKv(ForwardBatch batch, int t, int layer, float* k, float* v)
    {
        var pos = batch.Positions[t];
        _kv.Store(layer, batch.BlockTables[batch.SequenceOf[t]][pos / BlockSize], pos % BlockSize, k, v);
    }

    private static void Add(float* x, float* y, long n) =>
        System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(x, (int)n), new ReadOnlySpan<float>(y, (int)n), new Span<float>(x, (int)n));

    /// <summary>h = silu(gate) * up, gate and up side by side in one row.</summary>
    private static void SwiGlu(float* gateUp, float* h, int hidden)
    {
        var gate = new ReadOnlySpan<float>(gateUp, hidden);
        var up = new ReadOnlySpan<float>(gateUp + hidden, hidden);
        var output = new Span<float>(h, hidden);
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(gate, output);
        System.Numerics.Tensors.TensorPrimitives.Multiply(output, gate, output);
        System.Numerics.Tensors.TensorPrimitives.Multiply(output, up, output);
    }

    public void Dispose()
    {
        _pool.Dispose();
        _kv.Dispose();
        _a.Dispose();
        _w.Dispose();
    }
}
