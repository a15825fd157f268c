using Grid.Cuda.Backend;
using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// random.cu: the benchmark's device-made weights. fill_random_bf16(bf16* out, long long n, unsigned long long
// seed, float scale) and fill_f32(float* out, long long n, float value), launched as RandomDeviceWeights does.
public static partial class KernelChecks
{
    private static void FillRandomBf16(KernelHarness g)
    {
        const long n = 3_000_017; // odd, and more than the 4096 x 256 threads of one pass: the loop strides
        const float scale = 0.02f;
        const ulong seed = 0x2545F4914F6CDD1DUL;
        using var a = g.Filled(n, Bf16Nan);
        using var b = g.Filled(n, Bf16Nan);
        using var c = g.Filled(n, Bf16Nan);
        // RandomDeviceWeights' launch shape, then another: the values must be a function of (seed, index) only.
        g.Launch("fill_random_bf16", 4096, 256, g.Args.Clear().Add(a.Pointer).Add(n).Add(seed).Add(scale));
        g.Launch("fill_random_bf16", 7, 128, g.Args.Clear().Add(b.Pointer).Add(n).Add(seed).Add(scale));
        g.Launch("fill_random_bf16", 4096, 256, g.Args.Clear().Add(c.Pointer).Add(n).Add(seed + 1).Add(scale));
        var first = g.Download(a);
        var again = g.Download(b);
        var other = g.Download(c);

        // Determinism: bit-identical across launch shapes; another seed changes nearly every value (equal by
        // chance about 1 time in several hundred at this scale).
        var same = new Mismatches();
        long differ = 0;
        for (long i = 0; i < n; i++)
        {
            if (!same.Same(first[i], again[i])) same.Record(i, $"0x{first[i]:X4} with grid 4096x256, 0x{again[i]:X4} with grid 7x128");
            if (first[i] != other[i]) differ++;
        }
        g.Figure("fill_random_bf16.determinism.mismatches", same.Count);
        g.Check("fill_random_bf16.determinism", same.Count == 0 && differ >= 0.95 * n,
            $"same seed, grids 4096x256 and 7x128: {same.Count} of {n} differ{(same.Count > 0 ? $" (first at {same.First}: {same.FirstDetail})" : "")}; " +
            $"seed+1: {differ / (double)n:P2} differ (want at least 95%)");

        // Range and moments: uniform in [-scale, scale) before BF16 rounding, which can move a value by 2^-8 of it.
        double sum = 0, squares = 0, largest = 0;
        long nonFinite = 0;
        for (long i = 0; i < n; i++)
        {
            var v = (double)Bf(first[i]);
            if (!double.IsFinite(v))
            {
                nonFinite++;
                continue;
            }
            sum += v;
            squares += v * v;
            largest = Math.Max(largest, Math.Abs(v));
        }
        var mean = sum / n;
        var std = Math.Sqrt(squares / n - mean * mean);
        var wantStd = scale / Math.Sqrt(3); // uniform on [-s, s)
        var meanBound = 6 * wantStd / Math.Sqrt(n); // six standard errors
        g.Figure("fill_random_bf16.max_abs", largest);
        g.Figure("fill_random_bf16.std_ratio", std / wantStd);
        g.Check("fill_random_bf16.range",
            nonFinite == 0 && largest <= scale * (1 + Bf16Unit) && Math.Abs(mean) <= meanBound && Math.Abs(std / wantStd - 1) <= 0.01,
            $"{n} values, scale {scale}: {nonFinite} non-finite, max |v| {largest:G5} (bound {scale * (1 + Bf16Unit):G5}), " +
            $"mean {mean:G3} (bound {meanBound:G3}), std / (scale/sqrt 3) {std / wantStd:F4} (want 1 +- 0.01)");

        // The documented function itself (SplitMix64 per index), bit for bit.
        var m = new Mismatches();
        for (long i = 0; i < n; i++)
        {
            var want = RandomBf16(seed, i, scale);
            if (!m.Same(want, first[i])) m.Record(i, $"expected 0x{want:X4}, got 0x{first[i]:X4}");
        }
        g.Exact("fill_random_bf16.reference", m, "against a scalar SplitMix64 of (seed, index), uniform in [-scale, scale), Bf16.FromFloat");
    }

    private static void FillF32(KernelHarness g)
    {
        const long n = 1_000_003;
        const int tail = 61; // past n: must keep its sentinel
        const uint sentinel = 0xDEADBEEF;
        using var buffer = g.Filled(n + tail, sentinel);
        var m = new Mismatches();
        foreach (var (value, grid, block) in new[] { (-2.5f, (int)Dim3.Cover(n, 256).X, 256), (1f, 3, 64) })
        {
            g.Launch("fill_f32", grid, block, g.Args.Clear().Add(buffer.Pointer).Add(n).Add(value));
            var got = g.Download(buffer);
            for (long i = 0; i < n + tail; i++)
            {
                var want = i < n ? Bits(value) : sentinel;
                if (!m.Same(want, got[i])) m.Record(i, $"value {value} grid {grid}x{block}: expected 0x{want:X8}, got 0x{got[i]:X8}");
            }
        }
        g.Exact("fill_f32", m, $"{n} floats set to -2.5 (grid ceil(n/256)x256) then 1 (grid 3x64), the {tail} after untouched");
    }
}
