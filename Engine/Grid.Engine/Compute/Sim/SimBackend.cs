using Grid.Engine.Models;
using Grid.Engine.Timing;

namespace Grid.Engine.Compute.Sim;

/// <summary>
/// A GPU that computes nothing: each forward advances a clock by the time a <see cref="RooflineModel"/>
/// says the step would take on the named GPU, and its logits make one token a certain winner, chosen by
/// a seeded hash of (seed, token, position). Greedy sampling therefore yields the same tokens on every
/// run and whatever a sequence is batched with, so schedulers can be tested and capacity planned for
/// hundreds of GPUs on one machine. The KV pool is as large as the GPU's memory allows, but holds nothing.
/// </summary>
public sealed class SimBackend : IComputeBackend
{
    /// <summary>The winning token's logit; every other logit is 0.</summary>
    public const float WinningLogit = 10f;

    // Ids 0..2 are unk, bos and eos in Llama-family vocabularies: a simulated sequence never ends by chance.
    private const int FirstOrdinaryToken = 3;

    private readonly IClock _clock;
    private readonly ulong _seed;
    private int[] _highestPositions = new int[16];

    public SimBackend(ModelConfig config, GpuSpec gpu, IClock clock, SimBackendOptions? options = null)
        : this(new ModelShape(config.Architecture, config), gpu, clock, options)
    {
    }

    public SimBackend(ModelShape shape, GpuSpec gpu, IClock clock, SimBackendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(clock);
        options ??= new SimBackendOptions();
        options.Validate();
        if (shape.Config.VocabSize <= FirstOrdinaryToken)
            throw new ArgumentException($"{shape.Name}: the vocabulary ({shape.Config.VocabSize}) needs tokens beyond the special ids 0..2");

        Roofline = new RooflineModel(shape, gpu, options.TensorParallel, options.Roofline);
        Config = options.SampledVocabulary == 0 ? shape.Config : shape.Config with { VocabSize = options.SampledVocabulary };
        BlockSize = options.BlockSize;
        MaxBatchTokens = options.MaxBatchTokens;
        _clock = clock;
        _seed = options.Seed;

        var usable = (long)Math.Floor(gpu.MemoryBytes * options.GpuMemoryUtilization);
        var weights = Roofline.ResidentWeightBytesPerGpu;
        var perBlock = (long)BlockSize * Roofline.KvBytesPerTokenPerGpu;
        var blocks = (usable - weights) / perBlock;
        if (usable <= weights || blocks < 1)
            throw new ArgumentException(
                $"{shape.Name} does not fit {options.TensorParallel} x {gpu.Name}: each GPU holds {weights:N0} bytes of weights " +
                $"but offers {usable:N0} ({gpu.MemoryBytes:N0} x {options.GpuMemoryUtilization}), " +
                $"leaving room for {Math.Max(0, blocks)} KV blocks of {perBlock:N0} bytes");
        BlockCount = (int)Math.Min(blocks, int.MaxValue);
    }

    public ModelConfig Config { get; }
    public int BlockSize { get; }
    public int BlockCount { get; }
    public int MaxBatchTokens { get; }
    public RooflineModel Roofline { get; }

    /// <summary>The cost of the latest step (default before the first).</summary>
    public StepCost LastStep { get; private set; }

    public TimeSpan LastStepTime => LastStep.Duration;

    public long Steps { get; private set; }

    /// <summary>FLOPs of all steps so far, whole model.</summary>
    public double TotalFlops { get; private set; }

    /// <summary>Bytes each GPU moved in all steps so far.</summary>
    public double TotalBytes { get; private set; }

    /// <summary>The clock time all steps so far took.</summary>
    public TimeSpan TotalTime { get; private set; }

    public void Forward(ForwardBatch batch, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var n = batch.TokenCount;
        if (n == 0) return;
        batch.Validate(Config, BlockSize, BlockCount, MaxBatchTokens, logits.Length);

        // Grows once to the largest batch seen, so steady-state steps allocate nothing.
        if (_highestPositions.Length < batch.SequenceCount) _highestPositions = new int[batch.BlockTables.Length];
        var work = StepWork.Of(batch, _highestPositions);
        var cost = Roofline.Estimate(work);

        var vocab = Config.VocabSize;
        for (var r = 0; r < batch.LogitCount; r++)
        {
            var t = batch.LogitRows[r];
            var row = logits.Slice(r * vocab, vocab);
            row.Clear();
            row[NextToken(_seed, batch.Tokens[t], batch.Positions[t], vocab)] = WinningLogit;
        }

        var duration = cost.Duration;
        _clock.Advance(duration);
        LastStep = cost;
        Steps++;
        TotalFlops += cost.Flops;
        TotalBytes += cost.Bytes;
        TotalTime += duration;
    }

    /// <summary>
    /// The token the simulated model predicts after <paramref name="token"/> at <paramref name="position"/>:
    /// a SplitMix64 hash, fixed across processes and platforms (unlike <see cref="HashCode"/>).
    /// </summary>
    public static int NextToken(ulong seed, int token, int position, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(vocabSize, FirstOrdinaryToken);
        // The seed goes through its own round so that nearby seeds do not shift the (token, position) keys.
        var x = Mix(Mix(seed) ^ ((ulong)(uint)token << 32 | (uint)position));
        return FirstOrdinaryToken + (int)(x % (ulong)(vocabSize - FirstOrdinaryToken));
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public void Dispose()
    {
    }
}
