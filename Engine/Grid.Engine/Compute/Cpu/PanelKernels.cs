using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// Register-blocked kernels: y[t, 0..32) = sum over k of x[t, k] * panel[k, 0..32) for a tile of
/// 8, 4 or 1 tokens, always storing all 32 outputs (a partial panel goes through scratch).  Eight tokens hold sixteen accumulators in registers, so each weight vector
/// loaded feeds eight FMAs: batched decode and prefill run at arithmetic speed, not memory speed.
/// </summary>
internal static unsafe class PanelKernels
{
    private static readonly Vector512<float> Zero = Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8<TLoad>(byte* panel, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : IPanelLoad
    {
        Vector512<float> a0 = Zero, b0 = Zero, a1 = Zero, b1 = Zero, a2 = Zero, b2 = Zero, a3 = Zero, b3 = Zero;
        Vector512<float> a4 = Zero, b4 = Zero, a5 = Zero, b5 = Zero, a6 = Zero, b6 = Zero, a7 = Zero, b7 = Zero;
        float* x0 = x, x1 = x + xStride, x2 = x + 2 * xStride, x3 = x + 3 * xStride;
        float* x4 = x + 4 * xStride, x5 = x + 5 * xStride, x6 = x + 6 * xStride, x7 = x + 7 * xStride;
        for (var k = 0; k < cols; k++)
        {
            TLoad.Load(panel, k, out var lo, out var hi);
            var v = Vector512.Create(x0[k]); a0 = Avx512F.FusedMultiplyAdd(v, lo, a0); b0 = Avx512F.FusedMultiplyAdd(v, hi, b0);
            v = Vector512.Create(x1[k]); a1 = Avx512F.FusedMultiplyAdd(v, lo, a1); b1 = Avx512F.FusedMultiplyAdd(v, hi, b1);
            v = Vector512.Create(x2[k]); a2 = Avx512F.FusedMultiplyAdd(v, lo, a2); b2 = Avx512F.FusedMultiplyAdd(v, hi, b2);
            v = Vector512.Create(x3[k]); a3 = Avx512F.FusedMultiplyAdd(v, lo, a3); b3 = Avx512F.FusedMultiplyAdd(v, hi, b3);
            v = Vector512.Create(x4[k]); a4 = Avx512F.FusedMultiplyAdd(v, lo, a4); b4 = Avx512F.FusedMultiplyAdd(v, hi, b4);
            v = Vector512.Create(x5[k]); a5 = Avx512F.FusedMultiplyAdd(v, lo, a5); b5 = Avx512F.FusedMultiplyAdd(v, hi, b5);
            v = Vector512.Create(x6[k]); a6 = Avx512F.FusedMultiplyAdd(v, lo, a6); b6 = Avx512F.FusedMultiplyAdd(v, hi, b6);
            v = Vector512.Create(x7[k]); a7 = Avx512F.FusedMultiplyAdd(v, lo, a7); b7 = Avx512F.FusedMultiplyAdd(v, hi, b7);
        }
        Store(y, a0, b0);
        Store(y + yStride, a1, b1);
        Store(y + 2 * yStride, a2, b2);
        Store(y + 3 * yStride, a3, b3);
        Store(y + 4 * yStride, a4, b4);
        Store(y + 5 * yStride, a5, b5);
        Store(y + 6 * yStride, a6, b6);
        Store(y + 7 * yStride, a7, b7);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile4<TLoad>(byte* panel, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : IPanelLoad
    {
        Vector512<float> a0 = Zero, b0 = Zero, a1 = Zero, b1 = Zero, a2 = Zero, b2 = Zero, a3 = Zero, b3 = Zero;
        float* x0 = x, x1 = x + xStride, x2 = x + 2 * xStride, x3 = x + 3 * xStride;
        for (var k = 0; k < cols; k++)
        {
            TLoad.Load(panel, k, out var lo, out var hi);
            var v = Vector512.Create(x0[k]); a0 = Avx512F.FusedMultiplyAdd(v, lo, a0); b0 = Avx512F.FusedMultiplyAdd(v, hi, b0);
            v = Vector512.Create(x1[k]); a1 = Avx512F.FusedMultiplyAdd(v, lo, a1); b1 = Avx512F.FusedMultiplyAdd(v, hi, b1);
            v = Vector512.Create(x2[k]); a2 = Avx512F.FusedMultiplyAdd(v, lo, a2); b2 = Avx512F.FusedMultiplyAdd(v, hi, b2);
            v = Vector512.Create(x3[k]); a3 = Avx512F.FusedMultiplyAdd(v, lo, a3); b3 = Avx512F.FusedMultiplyAdd(v, hi, b3);
        }
        Store(y, a0, b0);
        Store(y + yStride, a1, b1);
        Store(y + 2 * yStride, a2, b2);
        Store(y + 3 * yStride, a3, b3);
    }

    /// <summary>
    /// One token. Every kernel sums each output over k in order with one accumulator, so a token's
    /// result is the same bits whatever the batch around it (batch invariance).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile1<TLoad>(byte* panel, int cols, float* x, float* y)
        where TLoad : IPanelLoad
    {
        Vector512<float> a0 = Zero, b0 = Zero;
        for (var k = 0; k < cols; k++)
        {
            TLoad.Load(panel, k, out var lo, out var hi);
            var v = Vector512.Create(x[k]);
            a0 = Avx512F.FusedMultiplyAdd(v, lo, a0);
            b0 = Avx512F.FusedMultiplyAdd(v, hi, b0);
        }
        Store(y, a0, b0);
    }

    /// <summary>One token over an F32 panel with 256-bit loads, which stream from DRAM faster here than 512-bit ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile1F32(byte* panel, int cols, float* x, float* y)
    {
        Vector256<float> a = Vector256<float>.Zero, b = a, c = a, d = a;
        var w = (float*)panel;
        for (var k = 0; k < cols; k++, w += PackedMatrix.Panel)
        {
            var v = Vector256.Create(x[k]);
            a = Fma.MultiplyAdd(v, Vector256.Load(w), a);
            b = Fma.MultiplyAdd(v, Vector256.Load(w + 8), b);
            c = Fma.MultiplyAdd(v, Vector256.Load(w + 16), c);
            d = Fma.MultiplyAdd(v, Vector256.Load(w + 24), d);
        }
        a.Store(y);
        b.Store(y + 8);
        c.Store(y + 16);
        d.Store(y + 24);
    }

    /// <summary>
    /// One token over two F16 panels at once (see <see cref="Tile1F32Pair"/>). The widened weights
    /// skip F16's exponent rebias (x 2^112): the caller passes x scaled by 2^100 and the sums come
    /// out 2^12 short, which the store puts back. Powers of two scale exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile1F16Pair(byte* panelA, byte* panelB, int cols, float* xScaled, float* yA, float* yB)
    {
        var mask = Vector512.Create(unchecked((int)0x8FFFE000));
        Vector512<float> a0 = Zero, b0 = Zero, a1 = Zero, b1 = Zero;
        var w = (short*)panelA;
        var u = (short*)panelB;
        for (var k = 0; k < cols; k++, w += PackedMatrix.Panel, u += PackedMatrix.Panel)
        {
            var x0 = Vector512.Create(xScaled[k]);
            a0 = Avx512F.FusedMultiplyAdd(x0, Widen(w, mask), a0);
            b0 = Avx512F.FusedMultiplyAdd(x0, Widen(w + 16, mask), b0);
            a1 = Avx512F.FusedMultiplyAdd(x0, Widen(u, mask), a1);
            b1 = Avx512F.FusedMultiplyAdd(x0, Widen(u + 16, mask), b1);
        }
        var rescale = Vector512.Create(4096f); // 2^12
        Store(yA, a0 * rescale, b0 * rescale);
        Store(yB, a1 * rescale, b1 * rescale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen(short* h, Vector512<int> mask) =>
        Avx512F.And(Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Vector256.Load(h)), 13), mask).AsSingle();

    /// <summary>
    /// One token over two panels from far-apart parts of a worker's range: two streams in flight per
    /// thread keep more of the memory system busy than one (F16 decode ~125 -> ~190 tokens/s here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile1F32Pair(byte* panelA, byte* panelB, int cols, float* x, float* yA, float* yB)
    {
        Vector256<float> a = Vector256<float>.Zero, b = a, c = a, d = a, e = a, f = a, g = a, h = a;
        var w = (float*)panelA;
        var u = (float*)panelB;
        for (var k = 0; k < cols; k++, w += PackedMatrix.Panel, u += PackedMatrix.Panel)
        {
            var v = Vector256.Create(x[k]);
            a = Fma.MultiplyAdd(v, Vector256.Load(w), a);
            b = Fma.MultiplyAdd(v, Vector256.Load(w + 8), b);
            c = Fma.MultiplyAdd(v, Vector256.Load(w + 16), c);
            d = Fma.MultiplyAdd(v, Vector256.Load(w + 24), d);
            e = Fma.MultiplyAdd(v, Vector256.Load(u), e);
            f = Fma.MultiplyAdd(v, Vector256.Load(u + 8), f);
            g = Fma.MultiplyAdd(v, Vector256.Load(u + 16), g);
            h = Fma.MultiplyAdd(v, Vector256.Load(u + 24), h);
        }
        a.Store(yA);
        b.Store(yA + 8);
        c.Store(yA + 16);
        d.Store(yA + 24);
        e.Store(yB);
        f.Store(yB + 8);
        g.Store(yB + 16);
        h.Store(yB + 24);
    }

    /// <summary>Two tokens over an F32 panel in 256-bit registers (AVX2 has 16: eight accumulators fit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile2F32(byte* panel, int cols, float* x, int xStride, float* y, int yStride)
    {
        Vector256<float> a0 = Vector256<float>.Zero, b0 = a0, c0 = a0, d0 = a0, a1 = a0, b1 = a0, c1 = a0, d1 = a0;
        var w = (float*)panel;
        float* x0 = x, x1 = x + xStride;
        for (var k = 0; k < cols; k++, w += PackedMatrix.Panel)
        {
            var wa = Vector256.Load(w);
            var wb = Vector256.Load(w + 8);
            var wc = Vector256.Load(w + 16);
            var wd = Vector256.Load(w + 24);
            var v = Vector256.Create(x0[k]);
            a0 = Fma.MultiplyAdd(v, wa, a0);
            b0 = Fma.MultiplyAdd(v, wb, b0);
            c0 = Fma.MultiplyAdd(v, wc, c0);
            d0 = Fma.MultiplyAdd(v, wd, d0);
            v = Vector256.Create(x1[k]);
            a1 = Fma.MultiplyAdd(v, wa, a1);
            b1 = Fma.MultiplyAdd(v, wb, b1);
            c1 = Fma.MultiplyAdd(v, wc, c1);
            d1 = Fma.MultiplyAdd(v, wd, d1);
        }
        a0.Store(y);
        b0.Store(y + 8);
        c0.Store(y + 16);
        d0.Store(y + 24);
        a1.Store(y + yStride);
        b1.Store(y + yStride + 8);
        c1.Store(y + yStride + 16);
        d1.Store(y + yStride + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector512<float> lo, Vector512<float> hi)
    {
        lo.Store(y);
        hi.Store(y + 16);
    }
}
