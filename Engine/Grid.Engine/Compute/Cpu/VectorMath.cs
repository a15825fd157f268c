using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace Grid.Engine.Compute.Cpu;

/// <summary>Small vector helpers over raw pointers, inlined into the attention and norm loops.</summary>
internal static unsafe class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>y += a * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float* y, float a, float* x, int n)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            for (; i + 16 <= n; i += 16)
                Vector512.FusedMultiplyAdd(va, Vector512.Load(x + i), Vector512.Load(y + i)).Store(y + i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i + 8 <= n; i += 8)
                Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>y = y * scale + a * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleAdd(float* y, float scale, float a, float* x, int n)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale);
            var va = Vector512.Create(a);
            for (; i + 16 <= n; i += 16)
                Vector512.FusedMultiplyAdd(va, Vector512.Load(x + i), Vector512.Load(y + i) * s).Store(y + i);
        }
        for (; i < n; i++) y[i] = y[i] * scale + a * x[i];
    }

    /// <summary>out = x / sqrt(mean(x^2) + eps) * weight.</summary>
    public static void RmsNorm(float* x, float* weight, float* output, int n, float eps)
    {
        var ss = TensorPrimitives.SumOfSquares(new ReadOnlySpan<float>(x, n));
        var scale = 1f / MathF.Sqrt(ss / n + eps);
        TensorPrimitives.Multiply(new ReadOnlySpan<float>(x, n), scale, new Span<float>(output, n));
        TensorPrimitives.Multiply(new ReadOnlySpan<float>(output, n), new ReadOnlySpan<float>(weight, n), new Span<float>(output, n));
    }
}
