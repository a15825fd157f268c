using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>Reads input k of a panel as two vectors of 16 F32 weights; one implementation per storage type.</summary>
internal unsafe interface IPanelLoad
{
    static abstract void Load(byte* panel, int k, out Vector512<float> lo, out Vector512<float> hi);
}

internal unsafe struct LoadF32 : IPanelLoad
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(byte* panel, int k, out Vector512<float> lo, out Vector512<float> hi)
    {
        var p = (float*)panel + k * PackedMatrix.Panel;
        lo = Vector512.Load(p);
        hi = Vector512.Load(p + 16);
    }
}

internal unsafe struct LoadF16 : IPanelLoad
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(byte* panel, int k, out Vector512<float> lo, out Vector512<float> hi)
    {
        var p = (short*)panel + k * PackedMatrix.Panel;
        lo = Dequantize.Half16(Vector256.Load(p));
        hi = Dequantize.Half16(Vector256.Load(p + 16));
    }
}

internal unsafe struct LoadBF16 : IPanelLoad
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(byte* panel, int k, out Vector512<float> lo, out Vector512<float> hi)
    {
        var p = (short*)panel + k * PackedMatrix.Panel;
        lo = Dequantize.BFloat16(Vector256.Load(p));
        hi = Dequantize.BFloat16(Vector256.Load(p + 16));
    }
}
