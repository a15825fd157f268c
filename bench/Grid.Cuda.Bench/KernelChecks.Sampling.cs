using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// sampling.cu: argmax_rows and topk_rows. Exact: ids must match the scalar order (value descending, ties to the
// lower id), values must be the row's own bits at those ids.
public static partial class KernelChecks
{
    private static void ArgmaxRows(KernelHarness g)
    {
        var r = new Random(701);
        // The contract's rows (ties to the lowest id), then special values as the contract orders them
        // (+0 above -0, NaN above everything, as TensorPrimitives.IndexOfMax does).
        const int contractRows = 5;
        var rows = new List<float[]>
        {
            TestData.Normal(r, Vocab, 3.0), // random
            TestData.Normal(r, Vocab, 3.0), // its maximum twice: at 31000 and 7 (expect 7)
            new float[Vocab], // all equal: expect 0
            TestData.Normal(r, Vocab, 3.0), // maximum at the last id
            Enumerable.Repeat(float.NegativeInfinity, Vocab).ToArray(), // all -inf: expect 0
            Enumerable.Repeat(-0f, Vocab).ToArray(), // -0 everywhere but one +0 at 12345
            TestData.Normal(r, Vocab, 3.0), // +inf at 20000 and 30000: expect 20000
            TestData.Normal(r, Vocab, 3.0), // NaN at 25000 and 15000, +inf at 100: expect 15000
        };
        rows[1][31000] = rows[1][7] = 100f;
        rows[3][Vocab - 1] = 100f;
        rows[5][12345] = 0f;
        rows[6][20000] = rows[6][30000] = float.PositiveInfinity;
        rows[7][25000] = rows[7][15000] = float.NaN;
        rows[7][100] = float.PositiveInfinity;
        var logits = rows.SelectMany(row => row).ToArray();
        var n = rows.Count;

        using var buffer = g.Upload(logits);
        using var ids = g.Filled(n, -7);
        using var values = g.Filled(n, 0xDEADBEEFu);
        using var idsOnly = g.Filled(n, -7);
        g.Launch("argmax_rows", n, 256, g.Args.Clear().Add(buffer.Pointer).Add(ids.Pointer).Add(values.Pointer).Add(n).Add(Vocab));
        // values may be null.
        g.Launch("argmax_rows", n, 256, g.Args.Clear().Add(buffer.Pointer).Add(idsOnly.Pointer).Add(0UL).Add(n).Add(Vocab));
        var gotIds = g.Download(ids);
        var gotValues = g.Download(values);
        var gotIdsOnly = g.Download(idsOnly);

        var contract = new Mismatches();
        var special = new Mismatches();
        for (var row = 0; row < n; row++)
        {
            var m = row < contractRows ? contract : special;
            var want = Argmax(rows[row]);
            var wantBits = Bits(rows[row][want]);
            if (!m.Same((ulong)want, (ulong)gotIds[row])) m.Record(row, $"row {row}: expected id {want}, got {gotIds[row]}");
            if (!m.Same(wantBits, gotValues[row])) m.Record(row, $"row {row}: expected value bits 0x{wantBits:X8}, got 0x{gotValues[row]:X8}");
            if (!m.Same((ulong)want, (ulong)gotIdsOnly[row])) m.Record(row, $"row {row} (values null): expected id {want}, got {gotIdsOnly[row]}");
        }
        g.Exact("argmax_rows", contract, $"{contractRows} rows x {Vocab}: random, a repeated maximum, all equal, maximum last, all -inf; with and without values");
        g.Exact("argmax_rows.special_values", special, "+0 above -0, +inf (twice), NaN above +inf: the contract's order (TensorPrimitives.IndexOfMax)");
    }

    private static void TopkRows(KernelHarness g)
    {
        var r = new Random(702);
        const int rows = 5;
        // Distinct random values; small integers (thousands of ties at the k-th value, so the lowest ids must be
        // taken); a few finite values among -inf (the -inf ties fill the rest by id); +0/-0 and a repeated maximum;
        // Llama-3-sized logits.
        var logits = new float[rows * Vocab];
        TestData.Normal(r, Vocab, 3.0).CopyTo(logits, 0);
        for (var i = 0; i < Vocab; i++) logits[Vocab + i] = r.Next(20);
        Array.Fill(logits, float.NegativeInfinity, 2 * Vocab, Vocab);
        foreach (var id in TestData.Distinct(r, 10, Vocab)) logits[2 * Vocab + id] = (float)(r.NextDouble() * 10 - 5);
        TestData.Normal(r, Vocab, 3.0).CopyTo(logits, 3 * Vocab);
        for (var i = 0; i < 50; i++) logits[3 * Vocab + r.Next(Vocab)] = (i & 1) == 0 ? 0f : -0f;
        logits[3 * Vocab + 9000] = logits[3 * Vocab + 300] = logits[3 * Vocab + 20000] = 50f;
        TestData.Normal(r, Vocab, 1.0).CopyTo(logits, 4 * Vocab);

        var m = new Mismatches();
        void Case(float[] data, int nRows, int vocab, int k, string label)
        {
            using var buffer = g.Upload(data);
            using var ids = g.Filled((long)nRows * k, -7);
            using var values = g.Filled((long)nRows * k, 0xDEADBEEFu);
            g.Launch("topk_rows", nRows, 256, g.Args.Clear().Add(buffer.Pointer).Add(ids.Pointer).Add(values.Pointer).Add(nRows).Add(vocab).Add(k));
            var gotIds = g.Download(ids);
            var gotValues = g.Download(values);
            for (var row = 0; row < nRows; row++)
            {
                var want = TopK(data.AsSpan(row * vocab, vocab), k);
                for (var j = 0; j < k; j++)
                {
                    var at = row * k + j;
                    var wantBits = want[j] >= 0 ? Bits(data[row * vocab + want[j]]) : Bits(float.NegativeInfinity);
                    if (!m.Same((ulong)want[j], (ulong)gotIds[at])) m.Record(at, $"{label} row {row} rank {j}: expected id {want[j]}, got {gotIds[at]}");
                    if (!m.Same(wantBits, gotValues[at])) m.Record(at, $"{label} row {row} rank {j}: expected value bits 0x{wantBits:X8}, got 0x{gotValues[at]:X8}");
                }
            }
        }
        foreach (var k in new[] { 1, 40, 64 }) Case(logits, rows, Vocab, k, $"k={k}");
        // A vocabulary smaller than k: the entries past it are id -1, value -inf.
        Case(TestData.Normal(r, 3 * 50, 1.0), 3, 50, 64, "vocab=50 k=64");
        // Llama-3's vocabulary.
        Case(TestData.Normal(r, 2 * 128256, 3.0), 2, 128256, 50, "vocab=128256 k=50");
        g.Exact("topk_rows", m, $"k = 1, 40, 64 over {rows} x {Vocab} (distinct, heavy ties, mostly -inf, +-0 and a triple maximum), k > vocab, vocab 128256; sorted descending, ties to the lower id");
    }
}
