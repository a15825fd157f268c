using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// rotary.cu: rotary(q, k, stride, positions, n_tokens, n_heads, n_kv_heads, head_dim, rotary_dim, theta, neox),
// grid n_tokens, block 128, in place on the stacked qkv rows.
public static partial class KernelChecks
{
    private static void Rotary(KernelHarness g)
    {
        var r = new Random(401);
        var cases = new (string Name, int Heads, int KvHeads, int HeadDim, int RotaryDim, float Theta, bool Neox, int Tokens)[]
        {
            ("interleaved", 8, 2, 128, 128, 10000f, false, 97),
            ("neox", 8, 2, 128, 128, 500000f, true, 97),
            ("neox_partial", 8, 2, 128, 64, 10000f, true, 61),
            ("interleaved_partial", 8, 2, 128, 32, 10000f, false, 61),
            // 320 pairs: more than the kernel's 256-entry cos/sin table, so its uncached path.
            ("uncached", 2, 1, 640, 640, 10000f, false, 5),
        };
        foreach (var c in cases)
        {
            var stride = (c.Heads + 2 * c.KvHeads) * c.HeadDim;
            var kColumn = c.Heads * c.HeadDim;
            var qkv = TestData.Uniform(r, (long)c.Tokens * stride, -1f, 1f);
            var positions = new int[c.Tokens];
            for (var t = 0; t < c.Tokens; t++) positions[t] = r.Next(8192);
            positions[0] = 0;
            positions[1] = 1;
            positions[2] = 131071; // a 128K context's last position: large angles
            using var buffer = g.Upload(qkv);
            using var positionBuffer = g.Upload(positions);
            g.Launch("rotary", c.Tokens, 128, g.Args.Clear().Add(buffer.Pointer).Add(buffer.ElementPointer(kColumn)).Add(stride).Add(positionBuffer.Pointer)
                .Add(c.Tokens).Add(c.Heads).Add(c.KvHeads).Add(c.HeadDim).Add(c.RotaryDim).Add(c.Theta).Add(c.Neox ? 1 : 0));
            var got = g.Download(buffer);
            var (want, magnitude) = ScalarReference.Rotary(qkv, stride, kColumn, positions, c.Heads, c.KvHeads, c.HeadDim, c.RotaryDim, c.Theta, c.Neox);
            var cpu = RotaryF32(qkv, stride, kColumn, positions, c.Heads, c.KvHeads, c.HeadDim, c.RotaryDim, c.Theta, c.Neox);
            var e = new ErrorMeter();
            var untouched = new Mismatches();
            long notCpuBits = 0;
            for (var i = 0; i < qkv.Length; i++)
            {
                if (magnitude[i] == 0)
                {
                    // V, and q/k dims past rotary_dim: bit for bit as they were.
                    if (!untouched.Same(Bits(qkv[i]), Bits(got[i])))
                        untouched.Record(i, $"token {i / stride} column {i % stride}: was {qkv[i]:R}, now {got[i]:R}");
                }
                else
                {
                    e.Add(Math.Abs(got[i] - want[i]) / magnitude[i], i);
                    if (Bits(cpu[i]) != Bits(got[i])) notCpuBits++;
                }
            }
            // README: bit-identical to the CPU's F32 Rotary but for rare angles (a figure, not a pass condition).
            g.Figure($"rotary.{c.Name}.not_bit_identical_to_cpu", notCpuBits);
            // Error against the F64 rotation by the F32 cos and sin, relative to |x0| + |x1| of the pair: the two
            // rounded products and the rounded sum stay within 2 * 2^-24, a cos or sin one F32 ulp from the host's
            // (an F64 value near a rounding midpoint) adds 2^-24: 1.8e-7 at most. 1e-6 leaves room (fused or not)
            // and still catches any wrong angle, pair or sign (errors of order 1).
            const double bound = 1e-6;
            g.Figure($"rotary.{c.Name}.max_rel_error", e.Max);
            g.Figure($"rotary.{c.Name}.untouched_changed", untouched.Count);
            g.Check($"rotary.{c.Name}", e.Within(bound) && untouched.Count == 0,
                $"{c.Tokens} tokens, {c.Heads}/{c.KvHeads} heads x {c.HeadDim}, rotary_dim {c.RotaryDim}, theta {c.Theta}, {(c.Neox ? "neox" : "interleaved")}: " +
                $"max error / (|x0|+|x1|) {e.Max:G4} at {e.At} (bound {bound:G2}){(e.NonFinite > 0 ? $", {e.NonFinite} non-finite" : "")}; " +
                $"{untouched.Count} of {untouched.Compared} untouched values changed{(untouched.Count > 0 ? $" (first: {untouched.FirstDetail})" : "")}; " +
                $"{notCpuBits} rotated values differ from the CPU's F32 bits");
        }
    }
}
