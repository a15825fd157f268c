// RMSNorm of F32 rows to BF16 (the next GEMM's input). Self-contained for NVRTC (no headers).
typedef unsigned short bf16;

// Round to nearest even; a NaN stays a quiet NaN (bit-identical to Grid.Engine.Models.Quantize.ToBFloat).
__device__ __forceinline__ bf16 float_to_bf16(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);
    return (bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

__device__ __forceinline__ float warp_sum(float v)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Sum over the block (blockDim.x a multiple of 32); every thread calls it and gets the same total.
__device__ __forceinline__ float block_sum(float v, float* scratch)
{
    v = warp_sum(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = 0.0f;
    for (int w = 0; w < (int)(blockDim.x >> 5); w++) t += scratch[w];
    return t;
}

// grid n_rows, block 256 (any multiple of 32). Row i reads x[rows ? rows[i] : i] and writes out[i]:
// out = bf16(x * (1 / sqrt(mean(x^2) + eps)) * weight), as VectorMath.RmsNorm computes it in F32.
extern "C" __global__ void rmsnorm_to_bf16(const float* __restrict__ x, const float* __restrict__ weight,
                                           bf16* __restrict__ out, const int* __restrict__ rows, int n_rows,
                                           int dim, float eps)
{
    __shared__ float scratch[32];
    for (int i = blockIdx.x; i < n_rows; i += gridDim.x)
    {
        const float* xr = x + (long long)(rows ? rows[i] : i) * dim;
        float ss = 0.0f;
        for (int j = threadIdx.x; j < dim; j += blockDim.x)
        {
            float v = xr[j];
            ss += v * v;
        }
        ss = block_sum(ss, scratch);
        float scale = 1.0f / sqrtf(ss / (float)dim + eps);
        bf16* o = out + (long long)i * dim;
        for (int j = threadIdx.x; j < dim; j += blockDim.x) o[j] = float_to_bf16(xr[j] * scale * weight[j]);
    }
}
