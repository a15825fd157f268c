using Grid.Cuda.Backend;
using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// convert.cu and quant.cu: every result is exactly defined (round to nearest even, NaN kept a quiet NaN),
// so each is compared bit for bit with Bf16.FromFloat / Bf16.ToFloat on the host. F32 data travels as uint
// buffers: raw bits, so nothing on the host can quiet a signalling NaN on the way.
public static partial class KernelChecks
{
    private static void F32ToBf16(KernelHarness g)
    {
        var r = new Random(101);
        List<uint> inputs =
        [
            0x00000000, 0x80000000, // +-0
            0x7F800000, 0xFF800000, // +-inf
            0x7FC00000, 0xFFC00000, 0x7FFFFFFF, 0xFFFFFFFF, // quiet NaNs
            0x7F800001, 0xFF800001, 0x7FBFFFFF, 0x7FA00000, 0x7F80FFFF, // signalling NaNs: must stay NaN, not become inf
            0x00000001, 0x80000001, 0x007FFFFF, 0x00800000, // subnormals, smallest normal
            0x00008000, 0x00018000, // ties among subnormals: to even
            0x7F7FFFFF, 0xFF7FFFFF, // largest finite: rounds to infinity
            0x7F7F8000, 0x7F7E8000, // ties at the top: odd rounds up (to inf), even stays
            0x3F800000, 0x3F7FFFFF, 0x3F808000, 0x3F818000, 0x3F807FFF, 0x3F808001, // 1 and ties around it
            0xBF808000, 0xBF818000, 0xBF807FFF, 0xBF808001,
        ];
        // Exact ties (low half 0x8000) and both neighbours over random high halves: round to nearest even decides.
        for (var i = 0; i < 20_000; i++)
        {
            var high = (uint)r.Next(0x10000) << 16;
            inputs.Add(high | 0x8000);
            inputs.Add(high | 0x7FFF);
            inputs.Add(high | 0x8001);
        }
        // Any bit pattern: every exponent, subnormals, NaN payloads.
        for (var i = 0; i < 1_000_000; i++) inputs.Add((uint)r.NextInt64(0, 1L << 32));
        foreach (var f in TestData.Normal(r, 200_000, 3.0)) inputs.Add(Bits(f));
        var host = inputs.ToArray();
        var n = host.Length;

        using var input = g.Upload(host);
        using var output = g.Filled<ushort>(n, 0xDEAD);
        g.Launch("f32_to_bf16", Dim3.Cover(n, 256), 256, g.Args.Clear().Add(input.Pointer).Add(output.Pointer).Add(n));
        var got = g.Download(output);
        var m = new Mismatches();
        for (var i = 0; i < n; i++)
        {
            var want = Bf16.FromFloat(BitConverter.UInt32BitsToSingle(host[i]));
            if (!m.Same(want, got[i])) m.Record(i, $"input 0x{host[i]:X8}: expected 0x{want:X4}, got 0x{got[i]:X4}");
        }
        g.Exact("f32_to_bf16", m, "F32 -> BF16 (specials, ties, random bit patterns, activations) against Bf16.FromFloat");
    }

    private static void Bf16ToF32(KernelHarness g)
    {
        // Every BF16 bit pattern; the F32 is its bits shifted up, NaN payloads included.
        var host = new ushort[65536];
        for (var i = 0; i < host.Length; i++) host[i] = (ushort)i;
        var n = host.Length;
        using var input = g.Upload(host);
        using var output = g.Filled<uint>(n, 0xDEADBEEF);
        g.Launch("bf16_to_f32", Dim3.Cover(n, 256), 256, g.Args.Clear().Add(input.Pointer).Add(output.Pointer).Add(n));
        var got = g.Download(output);
        var m = new Mismatches();
        for (var i = 0; i < n; i++)
        {
            var want = Bits(Bf16.ToFloat(host[i]));
            if (!m.Same(want, got[i])) m.Record(i, $"input 0x{host[i]:X4}: expected 0x{want:X8}, got 0x{got[i]:X8}");
        }
        g.Exact("bf16_to_f32", m, "all 65536 BF16 patterns -> F32 against Bf16.ToFloat");
    }

    private static void F16ToBf16(KernelHarness g)
    {
        // Every F16 bit pattern: subnormals (BF16 normals after), infinities, NaNs, and the ties that rounding 11
        // significant bits to 8 makes.
        var host = new ushort[65536];
        for (var i = 0; i < host.Length; i++) host[i] = (ushort)i;
        var n = host.Length;
        using var input = g.Upload(host);
        using var output = g.Filled<ushort>(n, 0xDEAD);
        g.Launch("f16_to_bf16", Dim3.Cover(n, 256), 256, g.Args.Clear().Add(input.Pointer).Add(output.Pointer).Add(n));
        var got = g.Download(output);
        var m = new Mismatches();
        for (var i = 0; i < n; i++)
        {
            var want = Bf16.FromFloat(HalfToFloat(host[i]));
            if (!m.Same(want, got[i])) m.Record(i, $"input 0x{host[i]:X4}: expected 0x{want:X4}, got 0x{got[i]:X4}");
        }
        g.Exact("f16_to_bf16", m, "all 65536 F16 patterns -> BF16 against Bf16.FromFloat(exact F16 value)");
    }

    private static void DequantQ8(KernelHarness g)
    {
        // 50,001 blocks (1.6M weights): not a multiple of the 8 Q8_0 blocks one 256-thread block takes.
        const int blocks = 50_001;
        var r = new Random(102);
        var host = new byte[blocks * 34];
        r.NextBytes(host); // the int8 quants: every value, -128 included
        for (var b = 0; b < blocks; b++)
        {
            var scale = b switch
            {
                0 => (ushort)0x0000, // +0
                1 => (ushort)0x8000, // -0
                2 => (ushort)0x0001, // smallest F16 subnormal
                3 => (ushort)0x03FF, // largest subnormal
                4 => (ushort)0x0400, // smallest normal
                5 => (ushort)0x7BFF, // 65504
                6 => (ushort)0xFBFF, // -65504
                _ => FloatToHalf((r.Next(2) == 0 ? -1 : 1) * (1e-4f + 2e-2f * r.NextSingle())), // GGUF-like scales
            };
            host[b * 34] = (byte)scale; // little-endian F16 first, then the 32 quants
            host[b * 34 + 1] = (byte)(scale >> 8);
        }
        using var input = g.Upload(host);
        using var output = g.Filled<ushort>(blocks * 32L, 0xDEAD);
        g.Launch("dequant_q8_0_to_bf16", Dim3.Cover(blocks, 8), 256, g.Args.Clear().Add(input.Pointer).Add(output.Pointer).Add(blocks));
        var got = g.Download(output);
        var m = new Mismatches();
        for (var b = 0; b < blocks; b++)
        {
            var d = HalfToFloat((ushort)(host[b * 34] | (host[b * 34 + 1] << 8)));
            for (var j = 0; j < 32; j++)
            {
                // The product in F32 (one IEEE multiply, exact on both sides), then round to nearest even.
                var want = Bf16.FromFloat(d * (sbyte)host[b * 34 + 2 + j]);
                var i = b * 32 + j;
                if (!m.Same(want, got[i])) m.Record(i, $"block {b} quant {j} (scale {d:G6}, q {(sbyte)host[b * 34 + 2 + j]}): expected 0x{want:X4}, got 0x{got[i]:X4}");
            }
        }
        g.Exact("dequant_q8_0_to_bf16", m, $"{blocks} Q8_0 blocks (zero, subnormal, extreme and random F16 scales) against a scalar dequant + Bf16.FromFloat");
    }
}
