using System.Runtime.Intrinsics.X86;

namespace Grid.Engine.Compute.Cpu;

/// <summary>Which instruction set the matrix kernels use. Auto takes the best the processor has.</summary>
public enum CpuKernels
{
    Auto,

    /// <summary>512-bit registers: 8-token tiles, 16-bit weights widened in registers.</summary>
    Avx512,

    /// <summary>256-bit AVX2 with FMA: 2-token tiles over panels widened to F32.</summary>
    Avx2,

    /// <summary>Plain loops: any processor, slowly.</summary>
    Scalar,
}

public static class CpuKernelSupport
{
    public static CpuKernels Best =>
        Avx512F.IsSupported ? CpuKernels.Avx512 : Avx2.IsSupported && Fma.IsSupported ? CpuKernels.Avx2 : CpuKernels.Scalar;

    public static bool IsSupported(CpuKernels k) => k switch
    {
        CpuKernels.Auto or CpuKernels.Scalar => true,
        CpuKernels.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        CpuKernels.Avx512 => Avx512F.IsSupported && Fma.IsSupported,
        _ => false,
    };

    public static CpuKernels Resolve(CpuKernels k)
    {
        if (!IsSupported(k)) throw new ArgumentException($"this processor cannot run the {k} kernels (best here: {Best})");
        return k == CpuKernels.Auto ? Best : k;
    }
}
