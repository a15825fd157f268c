using Grid.Engine.Models;

namespace Grid.Cuda.Tests;

/// <summary>
/// convert.cu on a real GPU against the CPU's scalar conversions, bit for bit: every BF16 and F16 value, and F32
/// values chosen for rounding (ties both ways, carries into the exponent, overflow to infinity, subnormals, NaN).
/// </summary>
[Collection("gpu")]
public sealed class ConvertKernelTests(GpuFixture gpu)
{
    private readonly KernelArguments args = new();

    [SkippableFact]
    public void F32_to_bf16_rounds_to_nearest_even_like_the_cpu()
    {
        var context = gpu.Require();
        var input = RoundingCases().Concat(Random(100_000)).ToArray();
        var output = Run<float, ushort>(context, "f32_to_bf16", input);

        Mismatches(input.Length, i => output[i] == Quantize.ToBFloat(input[i]),
                i => $"0x{BitConverter.SingleToUInt32Bits(input[i]):X8} -> 0x{output[i]:X4}, the CPU gives 0x{Quantize.ToBFloat(input[i]):X4}")
            .Should().BeEmpty();
    }

    [SkippableFact]
    public void Bf16_to_f32_is_exact_for_every_value()
    {
        var context = gpu.Require();
        var input = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var output = Run<ushort, float>(context, "bf16_to_f32", input);

        Mismatches(input.Length, i => BitConverter.SingleToUInt32Bits(output[i]) == (uint)input[i] << 16,
                i => $"0x{input[i]:X4} -> 0x{BitConverter.SingleToUInt32Bits(output[i]):X8}")
            .Should().BeEmpty();
    }

    [SkippableFact]
    public void F16_to_bf16_matches_the_cpu_for_every_value()
    {
        var context = gpu.Require();
        var input = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var output = Run<ushort, ushort>(context, "f16_to_bf16", input);

        // NaN payloads may differ (the GPU's cvt makes a canonical NaN); NaN must stay NaN.
        Mismatches(input.Length, i => Half(input[i]) is var f && (float.IsNaN(f) ? float.IsNaN(Dequantize.BFloat(output[i])) : output[i] == Quantize.ToBFloat(f)),
                i => $"0x{input[i]:X4} ({Half(input[i]):R}) -> 0x{output[i]:X4}, the CPU gives 0x{Quantize.ToBFloat(Half(input[i])):X4}")
            .Should().BeEmpty();
    }

    [SkippableFact]
    public void Launch_errors_name_the_kernel_and_missing_kernels_the_name()
    {
        var context = gpu.Require();
        var kernel = gpu.Convert.Kernel("f32_to_bf16");
        args.Clear().Add(0UL).Add(0UL).Add(0);
        kernel.Invoking(k => k.Launch(new Dim3(0), 256, args)).Should().Throw<CudaException>()
            .WithMessage("cuLaunchKernel(f32_to_bf16) failed: CUDA_ERROR_INVALID_VALUE*");
        gpu.Convert.Invoking(m => m.Kernel("no_such_kernel")).Should().Throw<CudaException>()
            .WithMessage("cuModuleGetFunction(no_such_kernel) failed: CUDA_ERROR_NOT_FOUND*");
        context.Synchronize(); // the context is still usable: launch-time errors are not sticky
    }

    /// <summary>Uploads, launches (grid ceil(n/256), block 256, as the contract says), synchronises, downloads.</summary>
    private TOut[] Run<TIn, TOut>(CudaContext context, string kernel, TIn[] input) where TIn : unmanaged where TOut : unmanaged
    {
        using var stream = new CudaStream(context);
        using var source = new DeviceBuffer<TIn>(context, input.Length);
        using var destination = new DeviceBuffer<TOut>(context, input.Length);
        source.Upload(input);
        args.Clear().Add(source).Add(destination).Add(input.Length);
        gpu.Convert.Kernel(kernel).Launch(Dim3.Cover(input.Length, 256), 256, args, stream);
        stream.Synchronize();
        var output = new TOut[input.Length];
        destination.Download(output);
        return output;
    }

    /// <summary>The first few elements that fail <paramref name="matches"/>, described.</summary>
    private static List<string> Mismatches(int n, Func<int, bool> matches, Func<int, string> describe) =>
        Enumerable.Range(0, n).Where(i => !matches(i)).Take(5).Select(describe).ToList();

    private static float Half(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    private static IEnumerable<float> RoundingCases()
    {
        uint[] bits =
        [
            0x00000000, 0x80000000, 0x3F800000, 0xBF800000,       // ±0, ±1
            0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF,       // ties to even (down, up), just above and below a tie
            0x3FFFFFFF, 0x7F7FFFFF, 0x7F7F8000, 0xFF7FFFFF,       // carries into the exponent; rounding past the largest finite to infinity
            0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFFFFFFF, // infinities, quiet and signalling NaN
            0x00000001, 0x00008000, 0x00018000, 0x007FFFFF, 0x80400000, // subnormals (rounded, never flushed)
        ];
        return bits.Select(BitConverter.UInt32BitsToSingle);
    }

    private static IEnumerable<float> Random(int n)
    {
        var random = new Random(5);
        for (var i = 0; i < n; i++) yield return BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
    }
}
