using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;

namespace Grid.Engine.Tests.Compute;

/// <summary>
/// The CPU backend against <see cref="ScalarReference"/> on random models: grouped-query attention,
/// both rotary layouts, biases, every weight type (Q8_0 and the 16-bit types against the scalar
/// pass over their own dequantised weights), and batches that mix chunked prefill with decode
/// through small, scattered KV blocks.
/// </summary>
public sealed class CpuBackendTests
{
    private static readonly ModelConfig Gqa = new()
    {
        Dim = 128, HiddenDim = 192, Layers = 2, Heads = 8, KvHeads = 2, VocabSize = 300, ContextLength = 96,
    };

    private static readonly ModelConfig Qwen = new()
    {
        Architecture = "qwen2", Dim = 96, HiddenDim = 160, Layers = 2, Heads = 6, KvHeads = 2, VocabSize = 320,
        ContextLength = 96, RopeStyle = RopeStyle.NeoX, HasQkvBias = true, RopeTheta = 1e6f, RmsEps = 1e-6f,
    };

    private static readonly ModelConfig PartialRope = Gqa with { Heads = 4, KvHeads = 4, RopeDim = 16, HiddenDim = 100 };

    public static TheoryData<string, TensorType, CpuKernels, int> Cases()
    {
        var data = new TheoryData<string, TensorType, CpuKernels, int>();
        foreach (var type in new[] { TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0 })
        {
            // Every kernel family the processor has, so the fallbacks are checked on a machine that would not pick them.
            foreach (var kernels in new[] { CpuKernels.Avx512, CpuKernels.Avx2, CpuKernels.Scalar }.Where(CpuKernelSupport.IsSupported))
                data.Add("gqa", type, kernels, 4);
            data.Add("qwen2", type, CpuKernels.Auto, 4);
        }
        data.Add("partial-rope", TensorType.F32, CpuKernels.Auto, 4);
        // 16-token blocks and 16-wide heads take attention's vector path.
        data.Add("gqa", TensorType.F32, CpuKernels.Auto, 16);
        data.Add("qwen2", TensorType.F16, CpuKernels.Auto, 16);
        return data;
    }

    private static ModelConfig Config(string name) => name switch
    {
        "gqa" => Gqa,
        "qwen2" => Qwen,
        _ => PartialRope,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mixed_prefill_and_decode_batches_match_the_scalar_reference(string config, TensorType type, CpuKernels kernels, int blockSize)
    {
        using var model = RandomModel.Create(Config(config), type, seed: 7, tiedOutput: config != "gqa", std: 0.2f);
        var reference = new ScalarReference(model);
        using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 64, BlockSize = blockSize, MaxBatchTokens = 32, Threads = 2, Kernels = kernels });
        var random = new Random(11);
        var vocab = model.Config.VocabSize;

        // Three sequences with scattered block tables: A has a 23-token prompt fed 10 at a time,
        // B a 5-token prompt, C a single token; each decodes once its prompt is in.
        var blocks = Enumerable.Range(0, 64).OrderBy(_ => random.Next()).ToArray();
        var tables = new[] { blocks[..16], blocks[16..32], blocks[32..48] };
        var prompts = new[] { 23, 5, 1 }.Select(n => Enumerable.Range(0, n).Select(_ => random.Next(vocab)).ToArray()).ToArray();
        var fed = new int[3];
        var steps = new[] { new[] { 10, 5, 0 }, [10, 1, 1], [3, 1, 1], [1, 1, 1], [1, 1, 1], [1, 0, 1] };

        var batch = new ForwardBatch(32, 3);
        var logits = new float[32 * vocab];
        foreach (var step in steps)
        {
            batch.Clear();
            var expected = new List<float[]>();
            for (var s = 0; s < 3; s++)
            {
                if (step[s] == 0) continue;
                var seq = batch.AddSequence(tables[s]);
                for (var i = 0; i < step[s]; i++)
                {
                    var pos = fed[s]++;
                    var token = pos < prompts[s].Length ? prompts[s][pos] : random.Next(vocab);
                    // Every third token skips its logits, as prompt tokens do.
                    var want = (pos + s) % 3 != 0 || i == step[s] - 1;
                    batch.Add(seq, token, pos, want);
                    var r = reference.Forward(s, token, pos);
                    if (want) expected.Add(r);
                }
            }
            backend.Forward(batch, logits);
            batch.LogitCount.Should().Be(expected.Count);
            for (var row = 0; row < expected.Count; row++)
                for (var v = 0; v < vocab; v++)
                {
                    var e = expected[row][v];
                    logits[row * vocab + v].Should().BeApproximately(e, 1e-4f * Math.Max(1f, Math.Abs(e)),
                        $"logit {v} of row {row} ({config}, {type}, {kernels}, blocks of {blockSize})");
                }
        }
    }

    [Fact]
    public void One_worker_and_two_workers_give_identical_logits()
    {
        using var model = RandomModel.Create(Gqa, TensorType.F16, seed: 3, std: 0.2f);
        float[] Run(int threads)
        {
            using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 8, BlockSize = 16, Threads = threads });
            var batch = new ForwardBatch(32, 1);
            batch.AddSequence([5, 2]);
            for (var p = 0; p < 20; p++) batch.Add(0, (p * 37) % Gqa.VocabSize, p, true);
            var logits = new float[20 * Gqa.VocabSize];
            backend.Forward(batch, logits);
            return logits;
        }
        Run(2).Should().Equal(Run(1));
    }

    [Fact]
    public void Bad_batches_are_refused_with_a_message_that_names_the_problem()
    {
        using var model = RandomModel.Create(Gqa, TensorType.F32, seed: 1);
        using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 4, BlockSize = 4, MaxBatchTokens = 8 });
        var logits = new float[8 * Gqa.VocabSize];

        var batch = new ForwardBatch(8, 1);
        batch.AddSequence([0]);
        batch.Add(0, Gqa.VocabSize, 0, true);
        FluentActions.Invoking(() => backend.Forward(batch, logits)).Should().Throw<ArgumentException>().WithMessage("*token id 300*vocabulary*");

        batch.Clear();
        batch.AddSequence([0]);
        batch.Add(0, 1, 4, true);
        FluentActions.Invoking(() => backend.Forward(batch, logits)).Should().Throw<ArgumentException>().WithMessage("*position 4*block table*");

        batch.Clear();
        batch.AddSequence([9]);
        batch.Add(0, 1, 0, true);
        FluentActions.Invoking(() => backend.Forward(batch, logits)).Should().Throw<ArgumentException>().WithMessage("*block id 9*");

        var big = new ForwardBatch(16, 1);
        big.AddSequence([0, 1, 2, 3]);
        for (var p = 0; p < 9; p++) big.Add(0, 1, p, false);
        FluentActions.Invoking(() => backend.Forward(big, logits)).Should().Throw<ArgumentException>().WithMessage("*9 tokens*at most 8*");
    }
}
