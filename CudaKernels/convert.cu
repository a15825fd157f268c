// Conversions between F32, BF16 and F16 storage. Self-contained for NVRTC (no headers).
typedef unsigned short bf16;

// Round to nearest even; a NaN stays a quiet NaN (bit-identical to Grid.Engine.Models.Quantize.ToBFloat).
__device__ __forceinline__ bf16 float_to_bf16(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);
    return (bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

__device__ __forceinline__ float bf16_to_float(unsigned int b) { return __uint_as_float((b & 0xffffu) << 16); }

// Exact F16 -> F32: subnormals, infinities and NaN (payload kept) included, with no F32 subnormal
// arithmetic (so it holds under -ftz=true too).
__device__ __forceinline__ float f16_to_float(unsigned int h)
{
    unsigned int sign = (h & 0x8000u) << 16;
    unsigned int mag = h & 0x7fffu;
    if (mag >= 0x7c00u) return __uint_as_float(sign | 0x7f800000u | ((mag & 0x3ffu) << 13));
    if (mag >= 0x0400u) return __uint_as_float(sign | ((mag << 13) + 0x38000000u)); // rebias 15 -> 127
    return __uint_as_float(sign | __float_as_uint((float)mag * 5.9604644775390625e-8f)); // mantissa * 2^-24
}

// grid ceil(n/256), block 256 (any grid: threads stride).
extern "C" __global__ void f32_to_bf16(const float* __restrict__ in, bf16* __restrict__ out, int n)
{
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = float_to_bf16(in[i]);
}

// grid ceil(n/256), block 256 (any grid: threads stride). Exact.
extern "C" __global__ void bf16_to_f32(const bf16* __restrict__ in, float* __restrict__ out, int n)
{
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = bf16_to_float(in[i]);
}

// grid ceil(n/256), block 256 (any grid: threads stride). F16 -> F32 exactly, then to BF16 by round to nearest
// even: F16 subnormals become BF16 normals, F16 infinities stay infinities, NaN stays NaN.
extern "C" __global__ void f16_to_bf16(const unsigned short* __restrict__ in, bf16* __restrict__ out, int n)
{
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = float_to_bf16(f16_to_float(in[i]));
}
