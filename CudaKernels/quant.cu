// GGUF Q8_0 dequantisation to BF16. Self-contained for NVRTC (no headers).
typedef unsigned short bf16;

// Round to nearest even; a NaN stays a quiet NaN (bit-identical to Grid.Engine.Models.Quantize.ToBFloat).
__device__ __forceinline__ bf16 float_to_bf16(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);
    return (bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

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

// grid ceil(n_blocks/8), block 256 (any multiple of 32, any grid: warps stride): one warp per Q8_0 block.
// A block is 34 bytes, little-endian F16 scale d then 32 int8 q, with no alignment beyond 1 byte;
// out[b*32 + j] = bf16(d * q[j]) (the product in F32, then round to nearest even).
extern "C" __global__ void dequant_q8_0_to_bf16(const unsigned char* __restrict__ blocks, bf16* __restrict__ out, int n_blocks)
{
    int lane = threadIdx.x & 31;
    int warps = blockDim.x >> 5;
    for (long long b = (long long)blockIdx.x * warps + (threadIdx.x >> 5); b < n_blocks; b += (long long)gridDim.x * warps)
    {
        const unsigned char* blk = blocks + b * 34;
        float d = f16_to_float((unsigned int)blk[0] | ((unsigned int)blk[1] << 8));
        float q = (float)(signed char)blk[2 + lane];
        out[b * 32 + lane] = float_to_bf16(d * q);
    }
}
