using Grid.Cuda.Native;

namespace Grid.Cuda.Tests;

public sealed class CompileErrorTests
{
    // Valid C++, invalid PTX: only ptxas (CUBIN mode) notices.
    private const string BadPtx = """
        extern "C" __global__ void k(int* x) { int v; asm("mov.b32 %0, %%no_such_register;" : "=r"(v)); x[0] = v; }
        """;

    [SkippableFact]
    public void Broken_source_throws_with_the_compile_log()
    {
        NvrtcGate.Require();
        var act = () => new KernelCompiler().Compile("broken.cu", "extern \"C\" __global__ void k(int* x) { x[0] = undeclared_name; }", "sm_80");

        var e = act.Should().Throw<CudaException>().Which;
        e.Call.Should().Be("nvrtcCompileProgram");
        e.ErrorName.Should().Be("NVRTC_ERROR_COMPILATION");
        e.Log.Should().Contain("undeclared_name").And.Contain("broken.cu");
        e.Message.Should().Contain("compiling broken.cu for sm_80").And.Contain("undeclared_name");
    }

    [SkippableFact]
    public void Invalid_inline_ptx_passes_in_ptx_mode_and_fails_in_cubin_mode()
    {
        NvrtcGate.Require();
        var compiler = new KernelCompiler();
        compiler.CompileToPtx("bad_ptx.cu", BadPtx, "compute_80").Should().Contain("%no_such_register");

        var e = compiler.Invoking(c => c.Compile("bad_ptx.cu", BadPtx, "sm_80")).Should().Throw<CudaException>().Which;
        e.Log.Should().Contain("ptxas").And.Contain("no_such_register");
    }

    [SkippableFact]
    public void Unsupported_targets_name_what_is_supported()
    {
        NvrtcGate.Require();
        var compiler = new KernelCompiler();
        compiler.Invoking(c => c.Compile("k.cu", "", "sm_999")).Should().Throw<NotSupportedException>()
            .WithMessage("*cannot compile for sm_999*sm_80*");
        compiler.Invoking(c => c.Compile("k.cu", "", "gfx90a")).Should().Throw<ArgumentException>().WithMessage("*not a sm_XX target*");
        compiler.Invoking(c => c.CompileToPtx("k.cu", "", "sm_80")).Should().Throw<ArgumentException>().WithMessage("*not a compute_XX target*");
    }

    [SkippableFact]
    public void Nvrtc_reports_its_version_and_architectures()
    {
        NvrtcGate.Require();
        Nvrtc.Version.Major.Should().BeGreaterThanOrEqualTo(11);
        Nvrtc.SupportedArchitectures.Should().Contain([80, 90]);
        Nvrtc.ErrorName(6).Should().Be("NVRTC_ERROR_COMPILATION");
        CudaLibraries.Load(CudaLibraries.Nvrtc).Path.Should().Contain("libnvrtc.so.");
    }
}
