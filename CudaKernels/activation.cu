// SwiGLU of the stacked gate/up GEMM output to BF16 (the down projection's input). Self-contained for NVRTC.
typedef unsigned short bf16;

// Round to nearest even; a NaN stays a quiet NaN (bit-identical to Grid.Engine.Models.Quantize.ToBFloat).
__device__ __forceinline__ bf16 float_to_bf16(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);
    return (bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// grid ceil(rows*ff/256), block 256 (any grid: threads stride). gate_up row r = [gate ff][up ff];
// out[r][i] = bf16(sigmoid(gate) * gate * up), in that order, as CpuBackend.SwiGlu computes it.
extern "C" __global__ void swiglu_to_bf16(const float* __restrict__ gate_up, bf16* __restrict__ out, int rows, int ff)
{
    long long n = (long long)rows * ff;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
    {
        long long r = i / ff;
        long long c = i - r * ff;
        const float* row = gate_up + r * 2 * ff;
        float g = row[c];
        float u = row[ff + c];
        float s = 1.0f / (1.0f + expf(-g));
        out[i] = float_to_bf16(s * g * u);
    }
}
