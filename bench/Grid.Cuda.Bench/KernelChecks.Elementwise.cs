using Grid.Cuda.Backend;
using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// embedding.cu, elementwise.cu, activation.cu.
public static partial class KernelChecks
{
    private static void EmbeddingGather(KernelHarness g)
    {
        var r = new Random(201);
        // Even dim (the kernel's paired BF16 reads) at a real vocabulary, and an odd dim (its scalar path).
        foreach (var (vocab, dim, n) in new[] { (32000, 1024, 300), (1000, 1027, 37) })
        {
            var table = TestData.Bf16Uniform(r, (long)vocab * dim, -0.1f, 0.1f);
            var tokens = new int[n];
            for (var t = 0; t < n; t++) tokens[t] = r.Next(vocab);
            tokens[0] = 0;
            tokens[1] = vocab - 1;
            tokens[2] = tokens[3]; // a repeated token
            using var tableBuffer = g.Upload(table);
            using var tokenBuffer = g.Upload(tokens);
            using var x = g.Filled((long)n * dim, 0xDEADBEEFu);
            g.Launch("embedding_gather", n, 256, g.Args.Clear().Add(tableBuffer.Pointer).Add(tokenBuffer.Pointer).Add(x.Pointer).Add(n).Add(dim));
            var got = g.Download(x);
            var m = new Mismatches();
            for (var t = 0; t < n; t++)
                for (var i = 0; i < dim; i++)
                {
                    var at = (long)t * dim + i;
                    var want = Bits(Bf16.ToFloat(table[(long)tokens[t] * dim + i]));
                    if (!m.Same(want, got[at])) m.Record(at, $"token {t} (id {tokens[t]}) dim {i}: expected 0x{want:X8}, got 0x{got[at]:X8}");
                }
            g.Exact($"embedding_gather.dim{dim}", m, $"{n} tokens of a {vocab} x {dim} BF16 table (first and last ids, a repeat) to F32");
        }
    }

    private static void AddBias(KernelHarness g)
    {
        var r = new Random(202);
        // Llama-3-8B's stacked qkv width at 64 tokens, and a size that is not a multiple of the 256-thread block.
        foreach (var (rows, cols) in new[] { (64, 6144), (7, 1001) })
        {
            var y = TestData.Normal(r, (long)rows * cols, 2.0);
            var bias = TestData.Normal(r, cols, 0.5);
            using var yBuffer = g.Upload(y);
            using var biasBuffer = g.Upload(bias);
            g.Launch("add_bias", Dim3.Cover((long)rows * cols, 256), 256, g.Args.Clear().Add(yBuffer.Pointer).Add(biasBuffer.Pointer).Add(rows).Add(cols));
            var got = g.Download(yBuffer);
            var m = new Mismatches();
            for (var i = 0; i < y.Length; i++)
            {
                var want = y[i] + bias[i % cols]; // one IEEE F32 addition on both sides: exact
                if (!m.Same(Bits(want), Bits(got[i]))) m.Record(i, $"row {i / cols} col {i % cols}: expected {want:R}, got {got[i]:R}");
            }
            g.Exact($"add_bias.{rows}x{cols}", m, $"y[{rows}][{cols}] += bias[c] in F32");
        }
    }

    private static void ResidualAdd(KernelHarness g)
    {
        var r = new Random(203);
        const int n = 64 * 4096 + 17; // not a multiple of 256
        var x = TestData.Normal(r, n, 3.0);
        var y = TestData.Normal(r, n, 1.0);
        using var xBuffer = g.Upload(x);
        using var yBuffer = g.Upload(y);
        g.Launch("residual_add", Dim3.Cover(n, 256), 256, g.Args.Clear().Add(xBuffer.Pointer).Add(yBuffer.Pointer).Add(n));
        var got = g.Download(xBuffer);
        var m = new Mismatches();
        for (var i = 0; i < n; i++)
        {
            var want = x[i] + y[i]; // one IEEE F32 addition: exact
            if (!m.Same(Bits(want), Bits(got[i]))) m.Record(i, $"expected {want:R}, got {got[i]:R}");
        }
        var unchanged = g.Download(yBuffer).AsSpan().SequenceEqual(y);
        if (!unchanged) m.Record(-1, "y was modified");
        g.Exact("residual_add", m, $"x[{n}] += y in F32, y untouched");
    }

    private static void SwiGlu(KernelHarness g)
    {
        var r = new Random(204);
        const int rows = 33, ff = 14336; // Llama-3-8B's FFN width
        // Gates across both of silu's saturations, ups of either sign.
        var gateUp = new float[(long)rows * 2 * ff];
        for (var row = 0; row < rows; row++)
            for (var c = 0; c < ff; c++)
            {
                gateUp[(long)row * 2 * ff + c] = -10f + 20f * r.NextSingle();
                gateUp[(long)row * 2 * ff + ff + c] = -4f + 8f * r.NextSingle();
            }
        using var input = g.Upload(gateUp);
        using var output = g.Filled((long)rows * ff, Bf16Nan);
        g.Launch("swiglu_to_bf16", Dim3.Cover((long)rows * ff, 256), 256, g.Args.Clear().Add(input.Pointer).Add(output.Pointer).Add(rows).Add(ff));
        var got = g.Download(output);
        var want = ScalarReference.SwiGlu(gateUp, rows, ff);
        var e = new ErrorMeter();
        for (var i = 0; i < want.Length; i++) e.Add(RelError(Bf(got[i]), want[i]), i);
        // BF16 output: round to nearest is within 2^-8 relatively; the F32 sigmoid (expf within 2 ulp, an IEEE
        // divide) and two products add a few 2^-24 relatively, so 1e-5 on top is ample.
        g.Bounded("swiglu_to_bf16", "max_rel_error", e, Bf16Unit + 1e-5, $"{rows} x {ff}, gate in [-10, 10), against F64 gate*up/(1+e^-gate)");
    }
}
