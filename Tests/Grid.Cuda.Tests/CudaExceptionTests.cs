using Grid.Cuda.Native;

namespace Grid.Cuda.Tests;

public sealed class CudaExceptionTests
{
    [Fact]
    public void Driver_errors_name_the_call_and_the_cuda_error()
    {
        var e = CudaException.FromDriver("cuMemAlloc_v2", CuResult.CUDA_ERROR_OUT_OF_MEMORY);

        e.Call.Should().Be("cuMemAlloc_v2");
        e.Code.Should().Be(2);
        e.ErrorName.Should().Be("CUDA_ERROR_OUT_OF_MEMORY");
        e.Message.Should().StartWith("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)");
    }

    [Fact]
    public void Unknown_driver_codes_print_as_numbers_without_a_driver()
    {
        var e = CudaException.FromDriver("cuInit", (CuResult)12345);
        if (!CudaLibraries.Load(CudaLibraries.Driver).Found) e.ErrorName.Should().Be("CUresult 12345");
        e.Message.Should().StartWith("cuInit failed:").And.Contain("(12345)");
    }

    [Fact]
    public void Cublas_errors_carry_the_status_name()
    {
        var e = CudaException.FromCublas("cublasGemmEx", CublasStatus.CUBLAS_STATUS_INVALID_VALUE);
        e.Message.Should().Be("cublasGemmEx failed: CUBLAS_STATUS_INVALID_VALUE (7)");
        CudaException.FromCublas("cublasCreate_v2", (CublasStatus)99).Message.Should().Contain("(99)");
    }

    [Fact]
    public void Nvrtc_errors_carry_the_log()
    {
        var e = CudaException.FromNvrtc("nvrtcCompileProgram", 6, "compiling a.cu for sm_90", "a.cu(3): error: oops\n");
        e.Log.Should().Contain("oops");
        e.Message.Should().Contain("nvrtcCompileProgram failed").And.Contain("compiling a.cu for sm_90").And.EndWith("a.cu(3): error: oops");
    }

    [Fact]
    public void Checks_name_the_entry_point_from_the_call_expression()
    {
        Check.CallName("DriverApi.cuMemAlloc_v2(&pointer, (nuint)ByteLength)").Should().Be("cuMemAlloc_v2");
        Check.CallName("cuInit(0)").Should().Be("cuInit");
        FluentActions.Invoking(() => Check.Driver(CuResult.CUDA_ERROR_INVALID_VALUE, "DriverApi.cuMemFree_v2(Pointer)"))
            .Should().Throw<CudaException>().Which.Call.Should().Be("cuMemFree_v2");
        FluentActions.Invoking(() => Check.Cublas(CublasStatus.CUBLAS_STATUS_SUCCESS)).Should().NotThrow();
    }
}
