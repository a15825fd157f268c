using Grid.Engine.Models;

namespace Grid.Cuda.Tests;

/// <summary>
/// cuBLAS BF16 products against a scalar product in double over the same BF16 values: row-major weights
/// [out][in] times activations [tokens][in] into F32 [tokens][out], with alpha, beta, strides and batches.
/// </summary>
[Collection("gpu")]
public sealed class CublasGemmTests(GpuFixture gpu)
{
    private readonly Random random = new(11);

    [SkippableFact]
    public void Row_major_product_with_alpha_and_beta_matches_a_scalar_product()
    {
        var context = gpu.Require();
        const int tokens = 5, outDim = 48, inDim = 72;
        var w = Bf16(outDim * inDim);
        var x = Bf16(tokens * inDim);
        var y0 = Enumerable.Range(0, tokens * outDim).Select(i => (float)(i % 7) - 3f).ToArray();

        var y = Gemm(context, w, x, y0, tokens, outDim, inDim, alpha: 0.5f, beta: 1f);

        for (var t = 0; t < tokens; t++)
        for (var o = 0; o < outDim; o++)
        {
            var (dot, magnitude) = Dot(w, o * inDim, x, t * inDim, inDim);
            y[t * outDim + o].Should().BeApproximately((float)(0.5 * dot + y0[t * outDim + o]), Tolerance(magnitude), $"y[{t}][{o}]");
        }
    }

    [SkippableFact]
    public void An_output_stride_writes_one_column_block_of_a_wider_matrix()
    {
        var context = gpu.Require();
        const int tokens = 3, outDim = 16, inDim = 32, width = 40, column = 8;
        var w = Bf16(outDim * inDim);
        var x = Bf16(tokens * inDim);
        using var cublas = new Cublas(context);
        using var dw = Upload(context, w);
        using var dx = Upload(context, x);
        using var dy = Upload(context, Enumerable.Repeat(-1f, tokens * width).ToArray());

        cublas.GemmBf16RowMajor(dw.Pointer, dx.Pointer, dy.ElementPointer(column), tokens, outDim, inDim, yStride: width);
        context.Synchronize();
        var y = new float[tokens * width];
        dy.Download(y);

        for (var t = 0; t < tokens; t++)
        for (var c = 0; c < width; c++)
        {
            if (c < column || c >= column + outDim) { y[t * width + c].Should().Be(-1f, "outside the block"); continue; }
            var (dot, magnitude) = Dot(w, (c - column) * inDim, x, t * inDim, inDim);
            y[t * width + c].Should().BeApproximately((float)dot, Tolerance(magnitude));
        }
    }

    [SkippableFact]
    public void Strided_batches_are_independent_products()
    {
        var context = gpu.Require();
        const int batch = 3, tokens = 4, outDim = 8, inDim = 16;
        var w = Bf16(batch * outDim * inDim);
        var x = Bf16(batch * tokens * inDim);
        using var cublas = new Cublas(context);
        using var dw = Upload(context, w);
        using var dx = Upload(context, x);
        using var dy = new DeviceBuffer<float>(context, batch * tokens * outDim);

        cublas.GemmBf16RowMajorBatched(dw.Pointer, outDim * inDim, dx.Pointer, tokens * inDim, dy.Pointer, tokens * outDim,
            batch, tokens, outDim, inDim);
        context.Synchronize();
        var y = new float[batch * tokens * outDim];
        dy.Download(y);

        for (var b = 0; b < batch; b++)
        for (var t = 0; t < tokens; t++)
        for (var o = 0; o < outDim; o++)
        {
            var (dot, magnitude) = Dot(w, (b * outDim + o) * inDim, x, (b * tokens + t) * inDim, inDim);
            y[(b * tokens + t) * outDim + o].Should().BeApproximately((float)dot, Tolerance(magnitude));
        }
    }

    private static float[] Gemm(CudaContext context, ushort[] w, ushort[] x, float[] y0, int tokens, int outDim, int inDim, float alpha, float beta)
    {
        using var stream = new CudaStream(context);
        using var cublas = new Cublas(context, stream);
        using var dw = Upload(context, w);
        using var dx = Upload(context, x);
        using var dy = Upload(context, y0);
        cublas.GemmBf16RowMajor(dw.Pointer, dx.Pointer, dy.Pointer, tokens, outDim, inDim, alpha, beta);
        stream.Synchronize();
        var y = new float[y0.Length];
        dy.Download(y);
        return y;
    }

    private static DeviceBuffer<T> Upload<T>(CudaContext context, T[] data) where T : unmanaged
    {
        var buffer = new DeviceBuffer<T>(context, data.Length);
        buffer.Upload(data);
        return buffer;
    }

    private ushort[] Bf16(int n) => Enumerable.Range(0, n).Select(_ => Quantize.ToBFloat((float)(random.NextDouble() * 2 - 1))).ToArray();

    /// <summary>The exact product of two BF16 rows, and the sum of |terms| that bounds F32 rounding error.</summary>
    private static (double Dot, double Magnitude) Dot(ushort[] a, int aStart, ushort[] b, int bStart, int n)
    {
        double dot = 0, magnitude = 0;
        for (var i = 0; i < n; i++)
        {
            var term = (double)Dequantize.BFloat(a[aStart + i]) * Dequantize.BFloat(b[bStart + i]);
            dot += term;
            magnitude += Math.Abs(term);
        }
        return (dot, magnitude);
    }

    // F32 accumulation of n products of exact BF16 values: error below n·2^-24·Σ|terms|; 1e-4 relative leaves room
    // for tensor cores' own summation order; a wrong layout is off by the whole magnitude.
    private static float Tolerance(double magnitude) => (float)(1e-4 * magnitude + 1e-6);
}
