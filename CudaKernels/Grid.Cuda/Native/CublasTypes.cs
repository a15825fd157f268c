namespace Grid.Cuda.Native;

/// <summary>cudaDataType_t: the element types cuBLAS reads and writes.</summary>
public enum CudaDataType
{
    R32F = 0,  // CUDA_R_32F
    R16F = 2,  // CUDA_R_16F
    R16BF = 14, // CUDA_R_16BF
}

/// <summary>cublasComputeType_t: the precision of the products and sums.</summary>
public enum CublasComputeType
{
    Compute32F = 68, // CUBLAS_COMPUTE_32F: F32 accumulation; BF16/F16 inputs still use tensor cores
    Compute32FPedantic = 69,
}

/// <summary>cublasOperation_t.</summary>
public enum CublasOperation
{
    N = 0, // CUBLAS_OP_N
    T = 1, // CUBLAS_OP_T
}

/// <summary>cublasGemmAlgo_t: the default lets cuBLAS pick (tensor cores included, since CUDA 11).</summary>
public enum CublasGemmAlgo
{
    Default = -1, // CUBLAS_GEMM_DEFAULT
}

/// <summary>cublasMath_t.</summary>
public enum CublasMath
{
    Default = 0,  // CUBLAS_DEFAULT_MATH
    Pedantic = 2, // CUBLAS_PEDANTIC_MATH
}
