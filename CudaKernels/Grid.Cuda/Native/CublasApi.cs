using System.Runtime.InteropServices;

namespace Grid.Cuda.Native;

/// <summary>
/// cuBLAS (libcublas.so.13 / .12), column-major like Fortran BLAS. Results are cublasStatus_t codes
/// (<see cref="CublasStatus"/>). alpha and beta are host pointers (the default pointer mode).
/// </summary>
internal static unsafe partial class CublasApi
{
    static CublasApi() => CudaLibraries.Register();

    private const string Lib = CudaLibraries.Cublas;

    [LibraryImport(Lib)] internal static partial CublasStatus cublasCreate_v2(nint* handle);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasDestroy_v2(nint handle);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasSetStream_v2(nint handle, nint stream);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasSetMathMode(nint handle, CublasMath mode);

    [LibraryImport(Lib)]
    internal static partial CublasStatus cublasGemmEx(nint handle, CublasOperation transA, CublasOperation transB,
        int m, int n, int k, void* alpha,
        ulong a, CudaDataType aType, int lda,
        ulong b, CudaDataType bType, int ldb, void* beta,
        ulong c, CudaDataType cType, int ldc,
        CublasComputeType computeType, CublasGemmAlgo algo);

    [LibraryImport(Lib)]
    internal static partial CublasStatus cublasGemmStridedBatchedEx(nint handle, CublasOperation transA, CublasOperation transB,
        int m, int n, int k, void* alpha,
        ulong a, CudaDataType aType, int lda, long strideA,
        ulong b, CudaDataType bType, int ldb, long strideB, void* beta,
        ulong c, CudaDataType cType, int ldc, long strideC,
        int batchCount, CublasComputeType computeType, CublasGemmAlgo algo);
}
