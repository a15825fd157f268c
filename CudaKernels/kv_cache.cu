// The paged KV pool: writing a step's K/V rows into their slots, and copying whole blocks (migration, swap,
// copy-on-write). Self-contained for NVRTC (no headers).
typedef unsigned short bf16;

// Round to nearest even; a NaN stays a quiet NaN (bit-identical to Grid.Engine.Models.Quantize.ToBFloat).
__device__ __forceinline__ bf16 float_to_bf16(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);
    return (bf16)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// grid n_tokens (any size: blocks stride over tokens), block 128 (any size).
// Token t's K heads are k[t*kv_stride + h*head_dim + d] (and V likewise from v), F32; they go, rounded to BF16,
// to slot s = slot_mapping[t]: pool[(s / block_size) block][h][s % block_size][d]. A negative slot is skipped
// (a padding token).
extern "C" __global__ void kv_write(const float* __restrict__ k, const float* __restrict__ v, int kv_stride,
                                    bf16* __restrict__ k_pool, bf16* __restrict__ v_pool, const int* __restrict__ slot_mapping,
                                    int n_tokens, int n_kv_heads, int head_dim, int block_size)
{
    int row = n_kv_heads * head_dim;
    for (int t = blockIdx.x; t < n_tokens; t += gridDim.x)
    {
        int slot = slot_mapping[t];
        if (slot < 0) continue;
        int blk = slot / block_size;
        int off = slot - blk * block_size;
        const float* kt = k + (long long)t * kv_stride;
        const float* vt = v + (long long)t * kv_stride;
        for (int e = threadIdx.x; e < row; e += blockDim.x)
        {
            int h = e / head_dim;
            int d = e - h * head_dim;
            long long dst = (((long long)blk * n_kv_heads + h) * block_size + off) * head_dim + d;
            k_pool[dst] = float_to_bf16(kt[e]);
            v_pool[dst] = float_to_bf16(vt[e]);
        }
    }
}

// grid n_blocks (any size: blocks stride), block 256 (any size). Copies block_elems BF16 values from
// src_pool block src_blocks[i] to dst_pool block dst_blocks[i]; block_elems = kv_heads*block_size*head_dim.
// One pool (K or V of one layer) per launch; the pools may be the same one, the blocks must not overlap.
extern "C" __global__ void kv_block_copy(const bf16* __restrict__ src_pool, bf16* __restrict__ dst_pool,
                                         const int* __restrict__ src_blocks, const int* __restrict__ dst_blocks,
                                         int n_blocks, int block_elems)
{
    for (int i = blockIdx.x; i < n_blocks; i += gridDim.x)
    {
        const bf16* src = src_pool + (long long)src_blocks[i] * block_elems;
        bf16* dst = dst_pool + (long long)dst_blocks[i] * block_elems;
        if ((block_elems & 7) == 0 && (((unsigned long long)src | (unsigned long long)dst) & 15) == 0)
        {
            const uint4* s4 = (const uint4*)src;
            uint4* d4 = (uint4*)dst;
            for (int j = threadIdx.x; j < block_elems / 8; j += blockDim.x) d4[j] = s4[j];
        }
        else
        {
            for (int j = threadIdx.x; j < block_elems; j += blockDim.x) dst[j] = src[j];
        }
    }
}
