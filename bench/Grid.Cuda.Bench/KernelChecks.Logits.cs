using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// logits.cu: logits_temperature, softmax_rows, apply_penalties, over F32 [rows][vocab] logits.
public static partial class KernelChecks
{
    private const int Vocab = 32000;

    private static void LogitsTemperature(KernelHarness g)
    {
        var r = new Random(601);
        float[] inverse = [1f, 1f / 0.7f, 2f, 0.25f, 1f / 1.3f];
        var rows = inverse.Length;
        var logits = TestData.Normal(r, (long)rows * Vocab, 4.0);
        using var buffer = g.Upload(logits);
        using var inverseBuffer = g.Upload(inverse);
        g.Launch("logits_temperature", rows, 256, g.Args.Clear().Add(buffer.Pointer).Add(inverseBuffer.Pointer).Add(rows).Add(Vocab));
        var got = g.Download(buffer);
        var m = new Mismatches();
        for (var i = 0; i < logits.Length; i++)
        {
            var want = logits[i] * inverse[i / Vocab]; // one IEEE F32 product: exact
            if (!m.Same(Bits(want), Bits(got[i]))) m.Record(i, $"row {i / Vocab} id {i % Vocab}: expected {want:R}, got {got[i]:R}");
        }
        g.Exact("logits_temperature", m, $"{rows} x {Vocab} logits times a per-row 1/temperature (1 included)");
    }

    private static void SoftmaxRows(KernelHarness g)
    {
        var r = new Random(602);
        // Rows of spread 1, 3 and 8; one offset by +120 (overflows exp without the max subtraction); one with
        // half its logits masked to -inf; and one all -inf, which the contract leaves all 0 rather than NaN.
        const int rows = 6;
        var logits = new float[rows * Vocab];
        double[] sigmas = [1, 3, 8, 3, 3];
        for (var row = 0; row < 5; row++)
            TestData.Normal(r, Vocab, sigmas[row]).CopyTo(logits, row * Vocab);
        for (var i = 0; i < Vocab; i++)
        {
            logits[3 * Vocab + i] += 120f;
            if (r.Next(2) == 0) logits[4 * Vocab + i] = float.NegativeInfinity;
        }
        Array.Fill(logits, float.NegativeInfinity, 5 * Vocab, Vocab);
        using var buffer = g.Upload(logits);
        g.Launch("softmax_rows", rows, 256, g.Args.Clear().Add(buffer.Pointer).Add(rows).Add(Vocab));
        var got = g.Download(buffer);
        var want = ScalarReference.Softmax(logits, rows, Vocab);

        var e = new ErrorMeter();
        for (var i = 0; i < 5 * Vocab; i++) e.Add(RelError(got[i], want[i]), i);
        // Relative error per probability (a masked logit must give exactly 0): expf within 2 ulp; x - max rounded
        // in F32, which moves exp by up to |x - max| * 2^-24 (|x - max| < 80 here: 4.8e-6); the F32 sum of 32000
        // positive terms, 125 deep per thread, then 5 shuffle levels and 7 warp partials: at most 137 * 2^-24 =
        // 8.2e-6; the reciprocal and the product 2 ulp. About 1.3e-5 in the worst case; 3e-5.
        g.Bounded("softmax_rows", "max_rel_error", e, 3e-5, $"5 rows x {Vocab} (spreads 1, 3, 8, offset +120, half masked) against F64");

        var masked = new Mismatches();
        for (var i = 5 * Vocab; i < rows * Vocab; i++)
            if (!masked.Same(0, Bits(got[i]))) masked.Record(i, $"id {i - 5 * Vocab}: got {got[i]:R}");
        g.Exact("softmax_rows.all_masked", masked, "a row of only -inf becomes all +0 (the contract)");
    }

    private static void TopPMask(KernelHarness g)
    {
        var r = new Random(604);
        // Spreads 3, 1 and 8; integer logits (thousands tied at the cut); half masked; one dominant logit; a
        // small top_p; top_p 1 and 1.5 (row left as is); a row of only -inf (left as is).
        var rows = new List<(float[] Logits, float TopP)>
        {
            (TestData.Normal(r, Vocab, 3.0), 0.9f),
            (TestData.Normal(r, Vocab, 1.0), 0.5f),
            (TestData.Normal(r, Vocab, 8.0), 0.95f),
            (Enumerable.Range(0, Vocab).Select(_ => (float)r.Next(10)).ToArray(), 0.7f),
            (TestData.Normal(r, Vocab, 3.0).Select((x, i) => i % 2 == 0 ? float.NegativeInfinity : x).ToArray(), 0.8f),
            (TestData.Normal(r, Vocab, 1.0).Select((x, i) => i == 4321 ? x + 30f : x).ToArray(), 0.9f),
            (TestData.Normal(r, Vocab, 3.0), 0.01f),
            (TestData.Normal(r, Vocab, 3.0), 1f),
            (TestData.Normal(r, Vocab, 3.0), 1.5f),
            (Enumerable.Repeat(float.NegativeInfinity, Vocab).ToArray(), 0.5f),
        };
        var n = rows.Count;
        var logits = rows.SelectMany(x => x.Logits).ToArray();
        var topP = rows.Select(x => x.TopP).ToArray();
        using var buffer = g.Upload(logits);
        using var topPBuffer = g.Upload(topP);
        g.Launch("top_p_mask", n, 256, g.Args.Clear().Add(buffer.Pointer).Add(topPBuffer.Pointer).Add(n).Add(Vocab));
        var got = g.Download(buffer);
        // The kernel's F32 sums (32000 terms, ~136 roundings deep) decide near the boundary: within 2 * 8e-6 of
        // the mass; 3e-5 of tolerance on each side.
        const double tolerance = 3e-5;
        var errors = new List<string>();
        var matching = 0;
        for (var row = 0; row < n; row++)
        {
            var error = NucleusError(logits.AsSpan(row * Vocab, Vocab), got.AsSpan(row * Vocab, Vocab), topP[row], tolerance, out var kept, out var expectedKept);
            if (error is not null) errors.Add($"row {row} (top_p {topP[row]}): {error}");
            if (kept == expectedKept) matching++;
        }
        g.Figure("top_p_mask.rows_matching_exact_cut", matching);
        g.Check("top_p_mask", errors.Count == 0,
            errors.Count == 0
                ? $"{n} rows x {Vocab} (spreads 1-8, ties at the cut, masked, dominant, top_p 0.01-1.5, all -inf): every row a valid nucleus cut; {matching} of {n} keep exactly the F64 cut's count"
                : string.Join("; ", errors));

        // A null top_p leaves every row.
        using var again = g.Upload(logits);
        g.Launch("top_p_mask", n, 256, g.Args.Clear().Add(again.Pointer).Add(0UL).Add(n).Add(Vocab));
        var same = g.Download(again);
        var m = new Mismatches();
        for (var i = 0; i < logits.Length; i++)
            if (!m.Same(Bits(logits[i]), Bits(same[i]))) m.Record(i, $"changed: {logits[i]:R} -> {same[i]:R}");
        g.Exact("top_p_mask.null_top_p", m, "top_p null: every row left as it was");
    }

    private static void ApplyPenalties(KernelHarness g)
    {
        var r = new Random(603);
        const int rows = 4;
        // Per row: 200 prompt tokens (count 0) and 100 generated ones (counts 1 to 5), distinct (row, token)
        // pairs as LogitPenalties makes them; plus ids -1 and vocab, which the kernel ignores.
        var tokens = new List<int>();
        var counts = new List<int>();
        var rowOf = new List<int>();
        for (var row = 0; row < rows; row++)
        {
            var ids = TestData.Distinct(r, 300, Vocab);
            for (var i = 0; i < ids.Length; i++)
            {
                tokens.Add(ids[i]);
                counts.Add(i < 200 ? 0 : 1 + r.Next(5));
                rowOf.Add(row);
            }
            tokens.AddRange([-1, Vocab]);
            counts.AddRange([1, 1]);
            rowOf.AddRange([row, row]);
        }
        var n = tokens.Count;
        float[] repetition = [1f, 1.3f, 0.8f, 1.1f];
        float[] presence = [0f, 0.5f, 0f, 1.2f];
        float[] frequency = [0f, 0.1f, 0.3f, 0f];
        var logits = TestData.Normal(r, (long)rows * Vocab, 3.0);
        using var tokenBuffer = g.Upload(tokens.ToArray());
        using var countBuffer = g.Upload(counts.ToArray());
        using var rowBuffer = g.Upload(rowOf.ToArray());
        using var repetitionBuffer = g.Upload(repetition);
        using var presenceBuffer = g.Upload(presence);
        using var frequencyBuffer = g.Upload(frequency);

        // All three penalty arrays, then the kernel's null arrays (no such penalty): repetition only, and
        // presence and frequency only.
        foreach (var (name, rep, pres, freq) in new[]
                 {
                     ("apply_penalties", repetition, presence, frequency),
                     ("apply_penalties.repetition_only", repetition, null, null),
                     ("apply_penalties.no_repetition", null, presence, frequency),
                 })
        {
            using var buffer = g.Upload(logits);
            g.Launch("apply_penalties", Dim3.Cover(n, 256), 256, g.Args.Clear().Add(buffer.Pointer).Add(tokenBuffer.Pointer).Add(countBuffer.Pointer)
                .Add(rowBuffer.Pointer).Add(n).Add(Vocab).Add(rep is null ? 0UL : repetitionBuffer.Pointer)
                .Add(pres is null ? 0UL : presenceBuffer.Pointer).Add(freq is null ? 0UL : frequencyBuffer.Pointer));
            var got = g.Download(buffer);
            var (want, touched) = ScalarReference.Penalties(logits, Vocab, tokens.ToArray(), counts.ToArray(), rowOf.ToArray(), rep, pres, freq);
            var m = new Mismatches();
            for (var i = 0; i < logits.Length; i++)
                if (!m.Same(Bits(want[i]), Bits(got[i])))
                    m.Record(i, $"row {i / Vocab} id {i % Vocab}{(touched[i] ? "" : " (no entry)")}: {logits[i]:R} -> expected {want[i]:R}, got {got[i]:R}");
            // README: exact against LogitPenalties (one IEEE divide or multiply, then count * frequency and
            // + presence each rounded, no FMA contraction).
            g.Exact(name, m, $"{n} entries over {rows} x {Vocab} (ids -1 and vocab ignored), against LogitPenalties' F32 arithmetic; every other logit untouched");
        }
    }
}
