namespace Grid.Engine.Compute.Sim;

/// <summary>
/// How long a forward step of a model takes on a GPU (or on N GPUs in tensor parallel): the step is
/// bound either by FLOPs over peak throughput or by bytes over memory bandwidth, whichever is
/// slower, plus a fixed overhead and, across GPUs, the all-reduces that compute cannot hide.
/// </summary>
/// <remarks>
/// Per step (T tokens, L of them needing logits, d = dim, N = GPUs):
/// <list type="bullet">
/// <item>FLOPs = 2 x matmul params x T + 2 x vocab x d x L + 4 x layers x d x sum over tokens of (pos + 1)
/// (QK^T and PV, two FLOPs per multiply-add each); each GPU does 1/N of them.</item>
/// <item>Bytes per GPU = (layer matrices + classifier if L &gt; 0) x bytes per weight / N, plus the KV
/// read (see <see cref="StepWork.KvReadPositions"/>) and T tokens' KV written, at KV bytes per token / N.
/// The embedding gathers only T rows and norms are vectors, so neither counts.</item>
/// <item>Tensor parallel (Megatron layout): heads, KV heads and the FFN's hidden units split N ways,
/// vocabulary too; each layer all-reduces its T x d BF16 activations twice (after attention's output
/// projection and after the FFN's down projection). One ring all-reduce costs a fixed latency plus
/// 2 (N - 1) / N x T x d x 2 bytes over the one-way link bandwidth, and is not overlapped with compute.
/// With fewer KV heads than GPUs each GPU keeps a copy of one KV head, as vLLM does.</item>
/// </list>
/// </remarks>
public sealed class RooflineModel
{
    private const int ActivationBytes = 2;

    private readonly int _kvHeadsPerGpu;

    public RooflineModel(ModelShape shape, GpuSpec gpu, int tensorParallel = 1, RooflineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(gpu);
        options ??= new RooflineOptions();
        options.Validate();
        var c = shape.Config;
        c.Validate(shape.Name);
        if (shape.BytesPerWeight < 1 || shape.KvBytesPerElement < 1)
            throw new ArgumentException($"{shape.Name}: bytes per weight ({shape.BytesPerWeight}) and per KV element ({shape.KvBytesPerElement}) must be positive");
        if (!(gpu.PeakFlops > 0 && gpu.MemoryBandwidth > 0 && gpu.MemoryBytes > 0 && gpu.LinkBandwidth > 0))
            throw new ArgumentException($"{gpu.Name}: FLOP/s, bandwidths and memory must be positive");
        if (tensorParallel < 1) throw new ArgumentException($"tensor parallelism must be at least 1 (got {tensorParallel})");
        if (c.Heads % tensorParallel != 0 || c.HiddenDim % tensorParallel != 0
            || (c.KvHeads % tensorParallel != 0 && tensorParallel % c.KvHeads != 0))
            throw new ArgumentException(
                $"{shape.Name} cannot split {tensorParallel} ways: {c.Heads} heads, {c.KvHeads} KV heads and {c.HiddenDim} FFN units must divide evenly");

        Shape = shape;
        Gpu = gpu;
        TensorParallel = tensorParallel;
        Options = options;
        _kvHeadsPerGpu = Math.Max(1, c.KvHeads / tensorParallel);
    }

    public ModelShape Shape { get; }
    public GpuSpec Gpu { get; }
    public int TensorParallel { get; }
    public RooflineOptions Options { get; }

    /// <summary>Device memory each GPU gives its slice of the weights (embedding and norms included).</summary>
    public long ResidentWeightBytesPerGpu => Shape.WeightBytes / TensorParallel;

    /// <summary>Bytes of the layer matrices each GPU streams every step.</summary>
    public long MatmulWeightBytesPerGpu => Shape.MatmulParams * Shape.BytesPerWeight / TensorParallel;

    /// <summary>Bytes of the classifier each GPU streams in a step that has logit rows.</summary>
    public long ClassifierBytesPerGpu => Shape.ClassifierParams * Shape.BytesPerWeight / TensorParallel;

    /// <summary>KV cache bytes one token takes on each GPU.</summary>
    public long KvBytesPerTokenPerGpu =>
        (long)Shape.Config.Layers * 2 * _kvHeadsPerGpu * Shape.Config.HeadDim * Shape.KvBytesPerElement;

    public StepCost Estimate(StepWork work)
    {
        if (work.Tokens < 0 || work.LogitRows < 0 || work.LogitRows > work.Tokens || work.AttendedPositions < 0 || work.KvReadPositions < 0)
            throw new ArgumentException($"impossible step: {work}", nameof(work));
        // Nothing to do launches nothing.
        if (work.Tokens == 0) return default;

        var c = Shape.Config;
        var matmulFlops = 2 * Shape.MatmulParams * work.Tokens;
        var classifierFlops = 2 * Shape.ClassifierParams * work.LogitRows;
        var attentionFlops = 4L * c.Layers * c.Dim * work.AttendedPositions;
        var weightBytes = MatmulWeightBytesPerGpu + (work.LogitRows > 0 ? ClassifierBytesPerGpu : 0);
        var kvRead = work.KvReadPositions * KvBytesPerTokenPerGpu;
        var kvWrite = work.Tokens * KvBytesPerTokenPerGpu;

        var flops = (double)(matmulFlops + classifierFlops + attentionFlops);
        var compute = flops / TensorParallel / (Gpu.PeakFlops * Options.ComputeEfficiency);
        var memory = (double)(weightBytes + kvRead + kvWrite) / (Gpu.MemoryBandwidth * Options.BandwidthEfficiency);
        return new StepCost(matmulFlops, classifierFlops, attentionFlops, weightBytes, kvRead, kvWrite,
            compute, memory, AllReduceSeconds(work.Tokens), Options.StepOverhead.TotalSeconds);
    }

    /// <summary>Decode tokens per second of <paramref name="batch"/> sequences all at <paramref name="position"/>.</summary>
    public double DecodeTokensPerSecond(int batch, int position) =>
        batch / Estimate(StepWork.Decode(batch, position)).Seconds;

    private double AllReduceSeconds(int tokens)
    {
        var n = TensorParallel;
        if (n == 1) return 0;
        var bytes = (double)tokens * Shape.Config.Dim * ActivationBytes;
        var one = Options.AllReduceLatency.TotalSeconds + 2.0 * (n - 1) / n * bytes / Gpu.LinkBandwidth;
        return 2 * Shape.Config.Layers * one;
    }
}
