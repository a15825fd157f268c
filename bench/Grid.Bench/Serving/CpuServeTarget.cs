using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Bench.Serving;

/// <summary>The CPU backend on wall time. One backend (weights, KV memory) serves every run; each run gets a new engine and block pool.</summary>
public sealed class CpuServeTarget : IServeTarget
{
    private const int BlockSize = 16;
    private readonly Model _model;
    private readonly CpuBackend _backend;
    private readonly RealClock _clock = new();
    private readonly int _maxSeqs;
    private readonly int _maxBatchTokens;

    public CpuServeTarget(ServeOptions options)
    {
        var path = options.Model ?? BenchModels.Ensure("f32");
        _model = ModelLoader.Load(path);
        var c = _model.Config;
        _maxSeqs = options.MaxSeqs ?? 32;
        _maxBatchTokens = options.MaxBatchTokens ?? 512;
        // Room for --kv-seqs whole contexts: every running sequence at full length, and the rest for the prefix cache.
        var blocks = (int)Math.Min(int.MaxValue, ((long)options.KvSeqs * c.ContextLength + BlockSize - 1) / BlockSize);
        _backend = new CpuBackend(_model, new CpuBackendOptions
        {
            BlockCount = blocks, BlockSize = BlockSize, MaxBatchTokens = _maxBatchTokens, Threads = options.Threads,
        });
        var kvBytes = 2L * c.Layers * c.KvDim * 4 * BlockSize * blocks;
        Description = $"cpu: {Path.GetFileName(path)} (context {c.ContextLength}, vocab {c.VocabSize}), {options.Threads} threads, {_backend.Kernels} kernels;"
            + $" KV pool {blocks} blocks x {BlockSize} tokens = {options.KvSeqs} x {c.ContextLength}-token contexts = {kvBytes / 1e9:F2} GB;"
            + $" max {_maxSeqs} sequences, {_maxBatchTokens} tokens per step";
    }

    public string Description { get; }
    public int ContextLength => _model.Config.ContextLength;
    public int VocabSize => _model.Config.VocabSize;

    /// <summary>Around what 2 cores give s110M F32 under moderate load: a 512-token step of prefill is ~1 s, a 32-way decode step ~0.1 s.</summary>
    public Slo DefaultSlo => new(2000, 250);

    public IReadOnlyList<double> DefaultRates(string workload) => workload == "shared-prefix" ? [0.5] : [0.25, 0.5, 1, double.PositiveInfinity];
    public int DefaultRequests(string workload) => workload == "shared-prefix" ? 32 : 100;

    public (EngineCore Engine, IClock Clock) CreateEngine(bool prefixCaching) =>
        (new EngineCore(_backend, _model.Tokenizer, _clock, Options(prefixCaching, _maxSeqs)), _clock);

    public EngineCore CreateEngine(int maxSeqs) => new(_backend, _model.Tokenizer, _clock, Options(true, maxSeqs));

    private EngineOptions Options(bool prefixCaching, int maxSeqs) =>
        new() { MaxSequences = maxSeqs, MaxBatchTokens = _maxBatchTokens, PrefixCaching = prefixCaching };

    public void Dispose()
    {
        _backend.Dispose();
        _model.Dispose();
    }
}
