using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// A cuBLAS handle bound to one stream, with the engine's one product: row-major BF16 weights times row-major BF16
/// activations into F32 outputs, accumulated in F32 (tensor cores on sm_80+).
/// <para>
/// The transposition trick: cuBLAS is column-major, and a row-major matrix [r][c] laid in memory is the
/// column-major matrix of its transpose (c x r, leading dimension c). We want Y = X·Wᵀ with X [tokens][in],
/// W [out][in], Y [tokens][out], all row-major. In cuBLAS's view the Y buffer holds Yᵀ (out x tokens), and
/// Yᵀ = W·Xᵀ. The W buffer is seen as Wᵀ (in x out), so op(A) = T gives W (m = out, k = in, lda = in); the X buffer
/// is seen as Xᵀ (in x tokens), already what we need, so op(B) = N (n = tokens, ldb = in); C is the Y buffer with
/// ldc = out. That is the "TN" product, the layout cuBLAS's BF16 kernels are fastest at, and nothing is copied.
/// </para>
/// </summary>
public sealed unsafe class Cublas : IDisposable
{
    private readonly CudaContext context;
    private bool disposed;

    public Cublas(CudaContext context, CudaStream? stream = null)
    {
        this.context = context;
        nint handle;
        Check.Cublas(CublasApi.cublasCreate_v2(&handle));
        Handle = handle;
        Check.Cublas(CublasApi.cublasSetMathMode(handle, CublasMath.Default));
        SetStream(stream);
    }

    public nint Handle { get; }

    /// <summary>Later products queue on <paramref name="stream"/> (null: the legacy default stream).</summary>
    public void SetStream(CudaStream? stream) => Check.Cublas(CublasApi.cublasSetStream_v2(Handle, CudaStream.HandleOf(stream)));

    /// <summary>
    /// y[t][o] = alpha * sum_i x[t][i] * w[o][i] + beta * y[t][o] for t &lt; tokens, o &lt; outDim, all row-major.
    /// Row strides (in elements) default to the dense ones; a larger <paramref name="yStride"/> writes a column block
    /// of a wider matrix (e.g. one part of the stacked qkv), beta = 1 accumulates (e.g. into the residual stream).
    /// </summary>
    public void GemmBf16RowMajor(ulong w, ulong x, ulong y, int tokens, int outDim, int inDim,
        float alpha = 1f, float beta = 0f, int wStride = 0, int xStride = 0, int yStride = 0)
    {
        Check.Cublas(CublasApi.cublasGemmEx(Handle, CublasOperation.T, CublasOperation.N,
            outDim, tokens, inDim, &alpha,
            w, CudaDataType.R16BF, wStride > 0 ? wStride : inDim,
            x, CudaDataType.R16BF, xStride > 0 ? xStride : inDim, &beta,
            y, CudaDataType.R32F, yStride > 0 ? yStride : outDim,
            CublasComputeType.Compute32F, CublasGemmAlgo.Default));
    }

    /// <summary>
    /// <see cref="GemmBf16RowMajor"/> over <paramref name="batch"/> independent problems, the b-th at
    /// w + b·wBatchStride, x + b·xBatchStride, y + b·yBatchStride (strides in elements); one launch for all.
    /// </summary>
    public void GemmBf16RowMajorBatched(ulong w, long wBatchStride, ulong x, long xBatchStride, ulong y, long yBatchStride,
        int batch, int tokens, int outDim, int inDim, float alpha = 1f, float beta = 0f)
    {
        Check.Cublas(CublasApi.cublasGemmStridedBatchedEx(Handle, CublasOperation.T, CublasOperation.N,
            outDim, tokens, inDim, &alpha,
            w, CudaDataType.R16BF, inDim, wBatchStride,
            x, CudaDataType.R16BF, inDim, xBatchStride, &beta,
            y, CudaDataType.R32F, outDim, yBatchStride,
            batch, CublasComputeType.Compute32F, CublasGemmAlgo.Default));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        context.MakeCurrent();
        Check.Cublas(CublasApi.cublasDestroy_v2(Handle));
    }
}
