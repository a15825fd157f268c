namespace Grid.Cuda.Tests;

/// <summary>
/// Every CudaKernels/*.cu compiles to CUBIN for sm_80 (A100) and sm_90 (H100/H200). CUBIN runs ptxas, so invalid
/// inline PTX fails here rather than on the GPU machine; every kernel must be extern "C" (no mangled names).
/// </summary>
public sealed class KernelCompileTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> FilesAndArchitectures()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in KernelSources.Files())
        foreach (var arch in new[] { "sm_80", "sm_90" })
            data.Add(Path.GetFileName(file), arch);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(FilesAndArchitectures))]
    public void Kernel_file_compiles_to_cubin(string file, string architecture)
    {
        NvrtcGate.Require();
        var compiled = KernelSources.Compiler().CompileFile(Path.Combine(KernelSources.Directory, file), architecture);

        output.WriteLine($"{file} {architecture}: {compiled.CompileTime.TotalMilliseconds:F0} ms, {compiled.Cubin.Length} bytes, " +
                         $"NVRTC {Nvrtc.Version}, kernels {string.Join(", ", compiled.Kernels)}");
        compiled.Origin.Should().Be(CompileOrigin.Compiled);
        compiled.Kernels.Should().NotBeEmpty("a kernel file holds at least one extern \"C\" __global__ function");
        compiled.Kernels.Should().NotContain(k => k.StartsWith("_Z"), "kernels are extern \"C\" (CudaKernels/README.md)");
    }

    [Fact]
    public void Kernel_sources_are_copied_beside_the_assembly()
    {
        KernelSources.Files().Select(Path.GetFileName).Should().Contain("convert.cu");
    }

    [SkippableFact]
    public void Convert_file_exports_the_contract_names()
    {
        NvrtcGate.Require();
        var compiled = KernelSources.Compiler().CompileFile(Path.Combine(KernelSources.Directory, "convert.cu"), "sm_90");
        compiled.Kernels.Should().BeEquivalentTo("f32_to_bf16", "bf16_to_f32", "f16_to_bf16");
    }

    [SkippableFact]
    public void A_kernel_without_extern_C_shows_up_mangled()
    {
        NvrtcGate.Require();
        var compiled = new KernelCompiler().Compile("mangled.cu", "__global__ void k(int* x) { x[0] = 1; }", "sm_80");
        compiled.Kernels.Should().ContainSingle().Which.Should().StartWith("_Z");
    }

    [SkippableFact]
    public void Line_info_is_an_option()
    {
        NvrtcGate.Require();
        var compiler = new KernelCompiler(lineInfo: true);
        compiler.Options("sm_90").Should().Contain(["--gpu-architecture=sm_90", "-default-device", "--std=c++17", "-lineinfo"]);
        compiler.Compile("k.cu", "extern \"C\" __global__ void k(float* x) { x[threadIdx.x] *= 2.0f; }", "sm_90").Kernels.Should().Equal("k");
    }
}
