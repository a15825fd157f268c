using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// y = x W^T for one panel of a <see cref="PackedMatrix"/>. F32 panels feed the kernels directly; a
/// 16-bit panel is widened inside the kernel for a handful of tokens (decode: memory-bound, so
/// the extra arithmetic is free) and into F32 scratch once for larger batches (compute-bound: the
/// widening is then paid once, not once per tile). Q8_0 always widens to scratch.
/// </summary>
internal static unsafe class MatMul
{
    private const int DirectTokens = 8;

    public static void Panel(PackedMatrix w, int panel, float* x, int tokens, float* y, int yStride, float* scratch, float* partial, CpuKernels kernels)
    {
        var cols = w.Cols;
        var valid = Math.Min(PackedMatrix.Panel, w.Rows - panel * PackedMatrix.Panel);
        var src = w.PanelPointer(panel);
        var dst = y + panel * PackedMatrix.Panel;
        if (kernels == CpuKernels.Scalar)
        {
            var f = w.Type == TensorType.F32 ? (float*)src : Widen(w.Type, src, cols, scratch);
            Scalar(f, cols, x, tokens, dst, yStride, valid);
            return;
        }

        // The last panel of a matrix may hold fewer than 32 outputs: compute it into scratch, copy what is real.
        var full = valid == PackedMatrix.Panel;
        var target = full ? dst : partial;
        var stride = full ? yStride : PackedMatrix.Panel;
        if (kernels == CpuKernels.Avx2) Avx2Panel(w.Type, src, cols, x, tokens, target, stride, scratch);
        else Avx512Panel(w.Type, src, cols, x, tokens, target, stride, scratch);
        if (!full)
            for (var t = 0; t < tokens; t++)
                for (var j = 0; j < valid; j++) dst[(long)t * yStride + j] = partial[t * PackedMatrix.Panel + j];
    }

    private static void Avx512Panel(TensorType type, byte* src, int cols, float* x, int tokens, float* y, int stride, float* scratch)
    {
        switch (type)
        {
            case TensorType.F32 when tokens == 1:
                PanelKernels.Tile1F32(src, cols, x, y);
                break;
            case TensorType.F32:
                Tiles<LoadF32>(src, cols, x, tokens, y, stride);
                break;
            case TensorType.F16 when tokens <= DirectTokens:
                Tiles<LoadF16>(src, cols, x, tokens, y, stride);
                break;
            case TensorType.BF16 when tokens <= DirectTokens:
                Tiles<LoadBF16>(src, cols, x, tokens, y, stride);
                break;
            default:
                Tiles<LoadF32>((byte*)Widen(type, src, cols, scratch), cols, x, tokens, y, stride);
                break;
        }
    }

    /// <summary>AVX2 has sixteen 256-bit registers: two-token tiles over the panel widened to F32.</summary>
    private static void Avx2Panel(TensorType type, byte* src, int cols, float* x, int tokens, float* y, int stride, float* scratch)
    {
        var f = type == TensorType.F32 ? src : (byte*)Widen(type, src, cols, scratch);
        var t = 0;
        for (; t + 2 <= tokens; t += 2)
            PanelKernels.Tile2F32(f, cols, x + (long)t * cols, cols, y + (long)t * stride, stride);
        if (t < tokens) PanelKernels.Tile1F32(f, cols, x + (long)t * cols, y + (long)t * stride);
    }

    /// <summary>
    /// One token over the full panels of [start, end) two at a time, for the types with a pair kernel;
    /// returns the first panel left for <see cref="Panel"/>.
    /// </summary>
    public static int PanelPairs(PackedMatrix w, int start, int end, float* x, float* y, float* scratch, CpuKernels kernels)
    {
        if (kernels != CpuKernels.Avx512 || w.Type is not (TensorType.F32 or TensorType.F16)) return start;
        var half = (Math.Min(end, w.Rows / PackedMatrix.Panel) - start) / 2;
        if (half <= 0) return start;
        var cols = w.Cols;
        if (w.Type == TensorType.F32)
        {
            for (var p = start; p < start + half; p++)
                PanelKernels.Tile1F32Pair(w.PanelPointer(p), w.PanelPointer(p + half), cols, x, y + p * PackedMatrix.Panel, y + (p + half) * PackedMatrix.Panel);
        }
        else
        {
            for (var k = 0; k < cols; k++) scratch[k] = x[k] * 1.2676506e30f; // 2^100, see Tile1F16Pair
            for (var p = start; p < start + half; p++)
                PanelKernels.Tile1F16Pair(w.PanelPointer(p), w.PanelPointer(p + half), cols, scratch, y + p * PackedMatrix.Panel, y + (p + half) * PackedMatrix.Panel);
        }
        return start + 2 * half;
    }

    private static void Tiles<TLoad>(byte* panel, int cols, float* x, int tokens, float* y, int yStride)
        where TLoad : IPanelLoad
    {
        var t = 0;
        for (; t + 8 <= tokens; t += 8)
            PanelKernels.Tile8<TLoad>(panel, cols, x + (long)t * cols, cols, y + (long)t * yStride, yStride);
        for (; t + 4 <= tokens; t += 4)
            PanelKernels.Tile4<TLoad>(panel, cols, x + (long)t * cols, cols, y + (long)t * yStride, yStride);
        for (; t < tokens; t++)
            PanelKernels.Tile1<TLoad>(panel, cols, x + (long)t * cols, y + (long)t * yStride);
    }

    /// <summary>Widens a panel to F32 in <paramref name="scratch"/> (Panel x cols floats) and returns it.</summary>
    private static float* Widen(TensorType type, byte* panel, int cols, float* scratch)
    {
        const int p = PackedMatrix.Panel;
        var n = cols * p;
        switch (type)
        {
            case TensorType.F16:
                Dequantize.Halves(new ReadOnlySpan<ushort>(panel, n), new Span<float>(scratch, n));
                break;
            case TensorType.BF16:
                Dequantize.BFloats(new ReadOnlySpan<ushort>(panel, n), new Span<float>(scratch, n));
                break;
            case TensorType.Q8_0:
                for (var b = 0; b < cols / 32; b++)
                {
                    var scales = (float*)(panel + b * (p * 4 + p * 32));
                    var q = (sbyte*)(scales + p);
                    var f = scratch + b * 32 * p;
                    if (Avx512F.IsSupported)
                    {
                        var s0 = Vector512.Load(scales);
                        var s1 = Vector512.Load(scales + 16);
                        for (var k = 0; k < 32; k++)
                        {
                            (Dequantize.Int8x16(Vector128.Load(q + k * p)) * s0).Store(f + k * p);
                            (Dequantize.Int8x16(Vector128.Load(q + k * p + 16)) * s1).Store(f + k * p + 16);
                        }
                    }
                    else
                    {
                        for (var k = 0; k < 32; k++)
                            for (var j = 0; j < p; j++) f[k * p + j] = scales[j] * q[k * p + j];
                    }
                }
                break;
            default:
                throw new NotSupportedException($"tensor type {type} is not supported");
        }
        return scratch;
    }

    private static void Scalar(float* panel, int cols, float* x, int tokens, float* y, int yStride, int valid)
    {
        for (var t = 0; t < tokens; t++)
            for (var j = 0; j < valid; j++)
            {
                var sum = 0f;
                for (var k = 0; k < cols; k++) sum += x[(long)t * cols + k] * panel[k * PackedMatrix.Panel + j];
                y[(long)t * yStride + j] = sum;
            }
    }
}
