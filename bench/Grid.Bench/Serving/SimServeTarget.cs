using Grid.Engine.Compute.Sim;
using Grid.Engine.Models;
using Grid.Engine.Models.Tokenizers;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Bench.Serving;

/// <summary>The simulated backend: a named model shape on a named GPU, each run on a fresh <see cref="VirtualClock"/>.</summary>
public sealed class SimServeTarget : IServeTarget
{
    private readonly ITokenizer _tokenizer;
    private readonly int _maxSeqs;
    private readonly int _maxBatchTokens;

    public SimServeTarget(ServeOptions options)
    {
        Shape = ModelShape.Get(options.Shape);
        Gpu = GpuSpec.Get(options.Gpu);
        _maxSeqs = options.MaxSeqs ?? 256;
        _maxBatchTokens = options.MaxBatchTokens ?? 8192;
        _tokenizer = RandomModel.Vocabulary(SampledVocabulary);
        using var probe = CreateBackend(new VirtualClock());
        var r = probe.Roofline;
        var kvTokens = (long)probe.BlockCount * probe.BlockSize;
        Description = $"sim: {Shape.Name} (context {Shape.Config.ContextLength}, vocab {Shape.Config.VocabSize}, tokens drawn from {SampledVocabulary}, {Shape.WeightBytes / 1e9:F1} GB of weights)"
            + $" on {Gpu.Name} ({Gpu.MemoryBandwidth / 1e12:F2} TB/s, {Gpu.PeakFlops / 1e12:F0} TFLOP/s), virtual time;"
            + $" KV pool {probe.BlockCount} blocks x {probe.BlockSize} tokens = {kvTokens:N0} tokens x {r.KvBytesPerTokenPerGpu / 1024} KiB;"
            + $" max {_maxSeqs} sequences, {_maxBatchTokens} tokens per step";
    }

    public ModelShape Shape { get; }
    public GpuSpec Gpu { get; }
    public string Description { get; }
    public int ContextLength => Shape.Config.ContextLength;
    /// <summary>
    /// Simulated tokens come from a 4096-token vocabulary: step times still count the model's whole
    /// classifier, while the host no longer writes and scans 128k logits per token.
    /// </summary>
    public const int SampledVocabulary = 4096;

    public int VocabSize => SampledVocabulary;

    /// <summary>Common interactive-serving objectives for an 8B model on one GPU.</summary>
    public Slo DefaultSlo => new(500, 50);

    public IReadOnlyList<double> DefaultRates(string workload) => workload == "shared-prefix" ? [20] : [10, 20, 40, double.PositiveInfinity];
    public int DefaultRequests(string workload) => workload == "shared-prefix" ? 500 : 1000;

    public (EngineCore Engine, IClock Clock) CreateEngine(bool prefixCaching)
    {
        var (engine, clock, _) = CreateEngine(prefixCaching, _maxSeqs);
        return (engine, clock);
    }

    /// <summary>An engine with its clock and backend, for checks that read the backend's step costs.</summary>
    public (EngineCore Engine, VirtualClock Clock, SimBackend Backend) CreateEngine(bool prefixCaching, int maxSeqs)
    {
        var clock = new VirtualClock();
        var backend = CreateBackend(clock);
        var options = new EngineOptions { MaxSequences = maxSeqs, MaxBatchTokens = _maxBatchTokens, PrefixCaching = prefixCaching };
        return (new EngineCore(backend, _tokenizer, clock, options), clock, backend);
    }

    private SimBackend CreateBackend(IClock clock) => new(Shape, Gpu, clock, new SimBackendOptions { MaxBatchTokens = _maxBatchTokens, SampledVocabulary = SampledVocabulary });

    public void Dispose()
    {
    }
}
