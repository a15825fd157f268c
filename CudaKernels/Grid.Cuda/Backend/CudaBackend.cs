using System.Diagnostics;
using Grid.Engine.Compute;
using Grid.Engine.Models;

namespace Grid.Cuda.Backend;

/// <summary>
/// The engine's forward pass on one CUDA device: BF16 weights uploaded once, the paged KV pool and every
/// activation preallocated in device memory, our kernels (CudaKernels/*.cu, compiled with NVRTC for the
/// device's architecture) around cuBLAS GEMMs. One step uploads the batch layout, runs the layers, and
/// downloads the logit rows; it allocates nothing. With nano-batches (NanoFlow) the step's sequences are
/// split into ranges whose layers run on separate streams, so one's GEMMs overlap another's attention.
/// </summary>
public sealed unsafe class CudaBackend : IComputeBackend
{
    private readonly CudaContext _context;
    private readonly KernelSet _kernels;
    private readonly KernelCalls _calls;
    private readonly DeviceWeights _weights;
    private readonly Activations _act;
    private readonly DeviceBuffer<ushort>[] _kPool, _vPool;
    private readonly CudaStream[] _streams;
    private readonly Cublas[] _blas;
    private readonly CudaEvent _uploaded;
    private readonly CudaEvent[] _finished;
    private readonly StepPlan _plan;
    private readonly PinnedHostBuffer<int> _hostTokens, _hostPositions, _hostSequences, _hostSlots, _hostLogitRows, _hostTables;
    private readonly PinnedHostBuffer<float> _hostLogits;
    private readonly (int Start, int Length)[] _ranges = new (int, int)[8];
    private readonly int _partitionTokens;
    private readonly long _partitionCapacity;
    private readonly int _decodeBlocksPerWave;
    private readonly ParallelCopy _logitCopy;
    private readonly CudaEvent[] _logitChunkReady;
    private int _stepPartitionTokens, _stepPartitions;
    private readonly float _scale;

    /// <summary>Serves <paramref name="model"/> (any weight type; stored as BF16 on the device).</summary>
    public CudaBackend(Model model, CudaBackendOptions? options = null) : this(model.Config, (c, _) => new DeviceWeights(c, model), options)
    {
    }

    /// <param name="weights">Makes the device weights once the context and kernels are up (the benchmark's are random, made on the device).</param>
    public CudaBackend(ModelConfig config, Func<CudaContext, KernelSet, DeviceWeights> weights, CudaBackendOptions? options = null)
    {
        var o = options ?? new CudaBackendOptions();
        o.Validate();
        Config = config;
        KernelCalls.DecodeKernelIndex(config.Heads, config.KvHeads); // refuses a head layout the decode kernels do not take
        BlockSize = o.BlockSize;
        MaxBatchTokens = o.MaxBatchTokens;
        if (!CudaDevice.IsAvailable) throw new InvalidOperationException($"the CUDA backend needs a CUDA device: {CudaDevice.UnavailableReason}");
        Device = CudaDevice.Get(o.DeviceOrdinal);
        _context = CudaContext.RetainPrimary(Device);
        _context.MakeCurrent();
        var compile = Stopwatch.StartNew();
        _kernels = KernelLoader.Load(_context, o.KernelCacheDirectory);
        KernelLoadTime = compile.Elapsed;
        _calls = new KernelCalls(_kernels);
        _decodeBlocksPerWave = Math.Max(1, _calls.DecodeBlocksPerMultiprocessor(config.Heads, config.KvHeads)) * Device.MultiprocessorCount;
        _weights = weights(_context, _kernels);

        var maxBlocksPerSequence = (config.ContextLength + BlockSize - 1) / BlockSize;
        _partitionTokens = o.DecodePartitionTokens;
        var maxPartitions = (config.ContextLength + _partitionTokens - 1) / _partitionTokens;
        var maxSequences = Math.Min(o.MaxSequences, o.MaxBatchTokens);
        _partitionCapacity = (long)MaxBatchTokens * maxPartitions;
        _act = new Activations(_context, config, MaxBatchTokens, maxSequences, maxBlocksPerSequence, maxPartitions);
        _plan = new StepPlan(MaxBatchTokens, maxSequences, maxBlocksPerSequence, BlockSize);

        var blockElements = (long)config.KvHeads * BlockSize * config.HeadDim;
        BlockCount = o.BlockCount > 0 ? o.BlockCount : BlocksThatFit(o, blockElements);
        _kPool = new DeviceBuffer<ushort>[config.Layers];
        _vPool = new DeviceBuffer<ushort>[config.Layers];
        for (var l = 0; l < config.Layers; l++)
        {
            _kPool[l] = new DeviceBuffer<ushort>(_context, BlockCount * blockElements);
            _vPool[l] = new DeviceBuffer<ushort>(_context, BlockCount * blockElements);
        }

        NanoBatchCount = Math.Max(1, o.NanoBatches);
        _streams = Enumerable.Range(0, 4).Select(_ => new CudaStream(_context, nonBlocking: true)).ToArray();
        _blas = _streams.Select(s => new Cublas(_context, s)).ToArray();
        _uploaded = new CudaEvent(_context, timing: false);
        _finished = _streams.Select(_ => new CudaEvent(_context, timing: false)).ToArray();
        _hostTokens = new PinnedHostBuffer<int>(_context, MaxBatchTokens);
        _hostPositions = new PinnedHostBuffer<int>(_context, MaxBatchTokens);
        _hostSequences = new PinnedHostBuffer<int>(_context, MaxBatchTokens);
        _hostSlots = new PinnedHostBuffer<int>(_context, MaxBatchTokens);
        _hostLogitRows = new PinnedHostBuffer<int>(_context, MaxBatchTokens);
        _hostTables = new PinnedHostBuffer<int>(_context, checked(maxSequences * maxBlocksPerSequence));
        _hostLogits = new PinnedHostBuffer<float>(_context, checked(MaxBatchTokens * config.VocabSize));
        _logitCopy = new ParallelCopy();
        _logitChunkReady = Enumerable.Range(0, LogitChunks).Select(_ => new CudaEvent(_context, timing: false)).ToArray();
        _scale = 1f / MathF.Sqrt(config.HeadDim);
        if (o.NanoBatches == 0) NanoBatchCount = NanoBatchSearch.Pick(this, maxSequences);
    }

    public ModelConfig Config { get; }
    public int BlockSize { get; }
    public int BlockCount { get; }
    public int MaxBatchTokens { get; }
    public CudaDevice Device { get; }

    /// <summary>How long compiling (or loading cached) kernels took at start.</summary>
    public TimeSpan KernelLoadTime { get; }

    /// <summary>Nano-batches per step; 1 is pipelining off. Settable so a benchmark can compare in one process.</summary>
    public int NanoBatchCount { get; set; }

    internal KernelSet Kernels => _kernels;

    public void Forward(ForwardBatch batch, Span<float> logits)
    {
        batch.Validate(Config, BlockSize, BlockCount, MaxBatchTokens, logits.Length);
        if (batch.TokenCount == 0) return;
        _context.MakeCurrent();
        _plan.Fill(batch);
        if (_plan.PureDecode)
            (_stepPartitionTokens, _stepPartitions) = DecodePartitions.Choose(_plan.TokenCount, Config.KvHeads, _plan.MaxContext,
                _decodeBlocksPerWave, BlockSize, _partitionTokens, _partitionCapacity);
        var main = _streams[0];
        Upload(main);
        _calls.EmbeddingGather(_weights.Embedding.Pointer, _act.Tokens.Pointer, _act.X.Pointer, _plan.TokenCount, Config.Dim, main);
        _uploaded.Record(main);

        var count = Math.Clamp(NanoBatchCount, 1, _streams.Length);
        var ranges = NanoBatches.Split(_plan, count, _ranges);
        for (var r = 1; r < ranges; r++) _streams[r].Wait(_uploaded);
        for (var l = 0; l < Config.Layers; l++)
            for (var r = 0; r < ranges; r++)
                Layer(l, _ranges[r].Start, _ranges[r].Length, _streams[r], _blas[r]);
        for (var r = 1; r < ranges; r++)
        {
            _finished[r].Record(_streams[r]);
            main.Wait(_finished[r]);
        }

        var rows = _plan.LogitCount;
        if (rows > 0)
        {
            _calls.RmsNorm(_act.X.Pointer, _weights.FinalNorm.Pointer, _act.H.Pointer, _act.LogitRows.Pointer, rows, Config.Dim, Config.RmsEps, main);
            _blas[0].GemmBf16RowMajor(_weights.Output.Pointer, _act.H.Pointer, _act.Logits.Pointer, rows, Config.VocabSize, Config.Dim);
        }
        CopyLogits(rows, main, logits);
    }

    /// <summary>Most pieces the logits download is cut into, so the host copies one piece while the next is in transit.</summary>
    private const int LogitChunks = 4;

    /// <summary>Smallest piece worth its own copy and event (a few microseconds each).</summary>
    private const long MinLogitChunkBytes = 4096;

    /// <summary>
    /// Downloads the step's logit rows to the pinned buffer and copies them into the caller's (several threads for
    /// large copies). Large downloads go in row chunks, each with its own event: the host copies a chunk while the
    /// next one crosses the bus.
    /// </summary>
    private void CopyLogits(int rows, CudaStream main, Span<float> logits)
    {
        var vocab = (long)Config.VocabSize;
        var chunks = (int)Math.Min(Math.Min(LogitChunks, rows), Math.Max(rows == 0 ? 0 : 1, rows * vocab * sizeof(float) / MinLogitChunkBytes));
        for (var c = 0; c < chunks; c++)
        {
            long first = (long)rows * c / chunks, end = (long)rows * (c + 1) / chunks;
            _act.Logits.DownloadAsync(_hostLogits, main, first * vocab, (end - first) * vocab, destinationOffset: first * vocab);
            _logitChunkReady[c].Record(main);
        }
        fixed (float* destination = logits)
            for (var c = 0; c < chunks; c++)
            {
                long first = (long)rows * c / chunks, end = (long)rows * (c + 1) / chunks;
                _logitChunkReady[c].Synchronize();
                _logitCopy.Copy(_hostLogits.Pointer + first * vocab, destination + first * vocab, (end - first) * vocab * sizeof(float));
            }
        main.Synchronize();
    }

    /// <summary>
    /// Diagnostics: the decode attention alone (partial and merge kernels of every layer) for the last step's batch,
    /// which must have been a pure decode step, timed with CUDA events; milliseconds per step over
    /// <paramref name="repeats"/> runs. It overwrites the step's attention output, nothing a next step reads.
    /// </summary>
    public double TimeDecodeAttention(int repeats = 5) => TimeDecodeParts(StepParts.Attention, repeats);

    /// <summary>
    /// Diagnostics: some kinds of work of the last step (a pure decode step), alone on one stream and timed with CUDA
    /// events, in milliseconds per step over <paramref name="repeats"/> runs: the cuBLAS GEMMs of every layer and the
    /// logits, the decode attention, or the rest (embedding, norms, bias, rotary, KV write, SwiGLU). Host work (upload,
    /// logits download and copy) is in none of them. The activations, the residual stream and the step's own KV slot
    /// end up overwritten or added to; a next step recomputes them all from its tokens, so none of it is read again.
    /// </summary>
    public double TimeDecodeParts(StepParts parts, int repeats = 5)
    {
        if (!_plan.PureDecode) throw new InvalidOperationException("timing decode parts needs a pure decode step to have run last");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        _context.MakeCurrent();
        using var start = new CudaEvent(_context);
        using var stop = new CudaEvent(_context);
        var s = _streams[0];
        Parts(parts, s); // warm-up
        start.Record(s);
        for (var r = 0; r < repeats; r++) Parts(parts, s);
        stop.Record(s);
        stop.Synchronize();
        return stop.ElapsedMillisecondsSince(start) / repeats;
    }

    /// <summary>The last step's work of the kinds in <paramref name="parts"/>, in the step's order, on one stream.</summary>
    private void Parts(StepParts parts, CudaStream s)
    {
        var other = (parts & StepParts.Other) != 0;
        if (other) _calls.EmbeddingGather(_weights.Embedding.Pointer, _act.Tokens.Pointer, _act.X.Pointer, _plan.TokenCount, Config.Dim, s);
        for (var l = 0; l < Config.Layers; l++) Layer(l, 0, _plan.TokenCount, s, _blas[0], parts);
        var rows = _plan.LogitCount;
        if (rows == 0) return;
        if (other) _calls.RmsNorm(_act.X.Pointer, _weights.FinalNorm.Pointer, _act.H.Pointer, _act.LogitRows.Pointer, rows, Config.Dim, Config.RmsEps, s);
        if ((parts & StepParts.Gemm) != 0) _blas[0].GemmBf16RowMajor(_weights.Output.Pointer, _act.H.Pointer, _act.Logits.Pointer, rows, Config.VocabSize, Config.Dim);
    }

    /// <summary>Blocks of this model's decode attention kernel one SM holds at once (registers and shared memory decide).</summary>
    public int DecodeBlocksPerMultiprocessor => _decodeBlocksPerWave / Device.MultiprocessorCount;

    /// <summary>The last decode step's split: tokens per partition and partitions per token.</summary>
    public (int PartitionTokens, int Partitions) LastDecodePartitions => (_stepPartitionTokens, _stepPartitions);

    private void Upload(CudaStream s)
    {
        var n = _plan.TokenCount;
        Stage(_plan.Tokens, n, _hostTokens, _act.Tokens, s);
        Stage(_plan.Positions, n, _hostPositions, _act.Positions, s);
        Stage(_plan.TokenSequence, n, _hostSequences, _act.TokenSequence, s);
        Stage(_plan.Slots, n, _hostSlots, _act.Slots, s);
        Stage(_plan.LogitRows, _plan.LogitCount, _hostLogitRows, _act.LogitRows, s);
        Stage(_plan.BlockTables, _plan.SequenceCount * _plan.BlocksPerSequence, _hostTables, _act.BlockTables, s);
    }

    private static void Stage(int[] values, int count, PinnedHostBuffer<int> host, DeviceBuffer<int> device, CudaStream s)
    {
        if (count == 0) return;
        values.AsSpan(0, count).CopyTo(host.Span);
        device.UploadAsync(host, s, 0, count);
    }

    /// <summary>One layer for the tokens [start, start + n) on stream <paramref name="s"/>.</summary>
    /// <param name="parts">Which kinds of work to queue (all in a real step; the diagnostics time one kind alone).</param>
    private void Layer(int l, int start, int n, CudaStream s, Cublas blas, StepParts parts = StepParts.All)
    {
        var c = Config;
        var w = _weights.Layers[l];
        int dim = c.Dim, hd = c.HeadDim, heads = c.Heads, kv = c.KvHeads, ff = c.HiddenDim, qkv = _act.QkvDim;
        var x = _act.X.ElementPointer((long)start * dim);
        var h = _act.H.ElementPointer((long)start * dim);
        var q = _act.Qkv.ElementPointer((long)start * qkv);
        var k = q + (ulong)(heads * hd * sizeof(float));
        var v = k + (ulong)(kv * hd * sizeof(float));
        var attn = _act.Attn.ElementPointer((long)start * heads * hd);
        var gu = _act.GateUp.ElementPointer((long)start * 2 * ff);
        var g = _act.G.ElementPointer((long)start * ff);
        var positions = _act.Positions.ElementPointer(start);
        var sequences = _act.TokenSequence.ElementPointer(start);

        bool gemm = (parts & StepParts.Gemm) != 0, attention = (parts & StepParts.Attention) != 0, other = (parts & StepParts.Other) != 0;
        if (other) _calls.RmsNorm(x, w.AttnNorm.Pointer, h, 0, n, dim, c.RmsEps, s);
        if (gemm) blas.GemmBf16RowMajor(w.Wqkv.Pointer, h, q, n, qkv, dim);
        if (other)
        {
            if (w.Bqkv is { } bias) _calls.AddBias(q, bias.Pointer, n, qkv, s);
            _calls.Rotary(q, k, qkv, positions, n, heads, kv, hd, c.RotaryDim, c.RopeTheta, c.RopeStyle != RopeStyle.Interleaved, s);
            _calls.KvWrite(k, v, qkv, _kPool[l].Pointer, _vPool[l].Pointer, _act.Slots.ElementPointer(start), n, kv, hd, BlockSize, s);
        }
        if (attention)
        {
            if (_plan.PureDecode) DecodeAttention(l, start, n, s);
            else
            {
                _calls.AttentionPrefill(q, qkv, _kPool[l].Pointer, _vPool[l].Pointer, _act.BlockTables.Pointer, _plan.BlocksPerSequence, sequences, positions,
                    attn, n, heads, kv, hd, BlockSize, _scale, s);
            }
        }
        if (gemm) blas.GemmBf16RowMajor(w.Wo.Pointer, attn, x, n, dim, heads * hd, beta: 1f);
        if (other) _calls.RmsNorm(x, w.FfnNorm.Pointer, h, 0, n, dim, c.RmsEps, s);
        if (gemm) blas.GemmBf16RowMajor(w.Wgu.Pointer, h, gu, n, 2 * ff, dim);
        if (other) _calls.SwiGlu(gu, g, n, ff, s);
        if (gemm) blas.GemmBf16RowMajor(w.Wdown.Pointer, g, x, n, dim, ff, beta: 1f);
    }

    /// <summary>Decode attention of layer <paramref name="l"/> for the tokens [start, start + n), split as <see cref="DecodePartitions"/> chose for the step.</summary>
    private void DecodeAttention(int l, int start, int n, CudaStream s)
    {
        var c = Config;
        int hd = c.HeadDim, heads = c.Heads, qkv = _act.QkvDim;
        var q = _act.Qkv.ElementPointer((long)start * qkv);
        var perToken = (long)heads * _stepPartitions;
        _calls.AttentionDecode(q, qkv, _kPool[l].Pointer, _vPool[l].Pointer, _act.BlockTables.Pointer, _plan.BlocksPerSequence,
            _act.TokenSequence.ElementPointer(start), _act.Positions.ElementPointer(start), _act.PartOut.ElementPointer(start * perToken * hd),
            _act.PartMax.ElementPointer(start * perToken), _act.PartSum.ElementPointer(start * perToken), _act.Attn.ElementPointer((long)start * heads * hd),
            n, heads, c.KvHeads, hd, BlockSize, _stepPartitionTokens, _stepPartitions, _scale, s);
    }

    private int BlocksThatFit(CudaBackendOptions o, long blockElements)
    {
        var (free, _) = _context.MemoryInfo();
        var perBlock = 2L * Config.Layers * blockElements * sizeof(ushort);
        var blocks = (long)(free * o.KvMemoryFraction) / perBlock;
        if (blocks < 1) throw new InvalidOperationException($"no device memory left for the KV cache ({free / (1 << 20)} MiB free, {perBlock} bytes a block)");
        return (int)Math.Min(blocks, int.MaxValue);
    }

    public void Dispose()
    {
        _context.MakeCurrent();
        foreach (var d in new IDisposable[] { _logitCopy, _hostTokens, _hostPositions, _hostSequences, _hostSlots, _hostLogitRows, _hostTables, _hostLogits, _uploaded, _act, _weights })
            d.Dispose();
        foreach (var e in _finished.Concat(_logitChunkReady)) e.Dispose();
        foreach (var b in _blas) b.Dispose();
        foreach (var s in _streams) s.Dispose();
        foreach (var p in _kPool.Concat(_vPool)) p.Dispose();
        _kernels.Dispose();
        _context.Dispose();
    }
}
