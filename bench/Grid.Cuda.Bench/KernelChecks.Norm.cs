using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// rmsnorm.cu: rmsnorm_to_bf16(x, weight, out, rows, n_rows, dim, eps), grid n_rows, block 256.
public static partial class KernelChecks
{
    private static void RmsNorm(KernelHarness g)
    {
        var r = new Random(301);
        const int tokens = 64, dim = 4096;
        const float eps = 1e-5f;
        // Rows of very different scales (0.1 to 10), weights around 1.
        var x = new float[tokens * dim];
        for (var t = 0; t < tokens; t++)
        {
            var rowScale = Math.Pow(10, -1 + 2 * r.NextDouble());
            var row = TestData.Normal(r, dim, rowScale);
            row.CopyTo(x, t * dim);
        }
        var weight = TestData.Uniform(r, dim, 0.8f, 1.2f);
        // The final norm's rows list: only the rows that want logits, in any order, a row twice.
        int[] rowList = [63, 0, 17, 17, 42, 5, 31, 62, 1, 50, 33, 8, 27, 44, 12, 59, 3, 21, 38, 55];
        using var xBuffer = g.Upload(x);
        using var weightBuffer = g.Upload(weight);
        using var rowBuffer = g.Upload(rowList);
        foreach (var rows in new[] { null, rowList })
        {
            var n = rows?.Length ?? tokens;
            using var output = g.Filled((long)n * dim, Bf16Nan);
            g.Launch("rmsnorm_to_bf16", n, 256, g.Args.Clear().Add(xBuffer.Pointer).Add(weightBuffer.Pointer).Add(output.Pointer)
                .Add(rows is null ? 0UL : rowBuffer.Pointer).Add(n).Add(dim).Add(eps));
            var got = g.Download(output);
            var want = ScalarReference.RmsNorm(x, weight, rows, n, dim, eps);
            var e = new ErrorMeter();
            for (var i = 0; i < want.Length; i++) e.Add(RelError(Bf(got[i]), want[i]), i);
            // Every step is a product, so the error is relative: BF16 rounding within 2^-8, plus the F32 sum of
            // 4096 squares over 256 threads (about 16 + 8 + 8 additions deep, each 2^-24) and the rsqrt, far
            // under 1e-5.
            g.Bounded(rows is null ? "rmsnorm_to_bf16" : "rmsnorm_to_bf16.rows", "max_rel_error", e, Bf16Unit + 1e-5,
                rows is null ? $"{tokens} rows x {dim}, eps {eps}, rows = null" : $"{n} listed rows (out of order, one twice) of {tokens} x {dim}");
        }
    }
}
