// Paged attention over the BF16 KV pool: prefill (causal, tiled over the KV length with an online softmax) and
// decode (split over the KV length into partitions, then merged). GQA: query head h reads KV head
// h / (n_heads / n_kv_heads). The shared pieces are headers NVRTC receives by name (KernelSources passes every
// CudaKernels/*.cuh): attention_common.cuh (reductions, paged KV reads, the CUDA-core path) and
// attention_mma.cuh (the tensor-core prefill), attention_decode.cuh (the grouped decode).
//
// Two ways through attention_prefill, chosen by head_dim:
// - head_dim 64 or 128: tensor cores (mma.sync m16n8k16, BF16 in, F32 accumulate),
//   FlashAttention-2 style. Each warp owns 16 query rows, a block 64; K and V tiles of 64 keys go through shared
//   memory once for all 64 rows. Q and the softmax weights P are rounded to BF16 for the products.
// - otherwise (a multiple of 8, at most 256): CUDA cores, one query at a time, all in F32 but K/V.
// Decode (attention_decode.cuh) is F32 on CUDA cores, one block per KV head serving all its query heads.
typedef unsigned short bf16;

#include "attention_common.cuh"
#include "attention_mma.cuh"
#include "attention_decode.cuh"


#define ATT_SMEM_BYTES (FA_SMEM_BYTES > (int)sizeof(GeneralSmem) ? FA_SMEM_BYTES : (int)sizeof(GeneralSmem))

// grid (ceil(n_tokens / 64), n_heads) for the tensor-core path's full speed; any grid.x works: block x takes
// rows [x*R, x*R + R) with R = ceil(n_tokens / grid.x) (grid.x = n_tokens gives one row per block).
// block 128. Token t (of sequence token_seq[t]) attends to its sequence's positions 0..positions[t], which must
// already be in the pool; out[t][h*head_dim + d], BF16.
extern "C" __global__ void __launch_bounds__(ATT_THREADS)
attention_prefill(const float* __restrict__ q, int q_stride, const bf16* __restrict__ k_pool, const bf16* __restrict__ v_pool,
                  const int* __restrict__ block_tables, int max_blocks_per_seq, const int* __restrict__ token_seq,
                  const int* __restrict__ positions, bf16* __restrict__ out, int n_tokens, int n_heads, int n_kv_heads,
                  int head_dim, int block_size, float scale)
{
    __shared__ __align__(16) unsigned char smem[ATT_SMEM_BYTES];
    if (blockDim.x != ATT_THREADS || head_dim > ATT_MAX_HEAD_DIM || (head_dim & 7) != 0) __trap();
    const int h = blockIdx.y;
    if (h >= n_heads) return;
    const int per = (n_tokens + gridDim.x - 1) / gridDim.x;
    const int r_begin = blockIdx.x * per;
    const int r_end = r_begin + per < n_tokens ? r_begin + per : n_tokens;
    if (r_begin >= r_end) return;

    PagedKv kv;
    kv.k_pool = k_pool;
    kv.v_pool = v_pool;
    kv.table = block_tables;
    kv.n_kv_heads = n_kv_heads;
    kv.head_dim = head_dim;
    kv.block_size = block_size;
    kv.kvh = h / (n_heads / n_kv_heads);

#define GRID_FA_CASE(D) \
    case D: prefill_mma<D>(q, q_stride, kv, block_tables, max_blocks_per_seq, token_seq, positions, out, n_heads, h, r_begin, r_end, scale, smem); return;
    switch (head_dim)
    {
        GRID_FA_CASE(64)
        GRID_FA_CASE(128)
        default: break;
    }
#undef GRID_FA_CASE

    GeneralSmem& s = *(GeneralSmem*)smem;
    const long long out_stride = (long long)n_heads * head_dim;
    for (int t = r_begin; t < r_end; t++)
    {
        load_query(s, q + (long long)t * q_stride + h * head_dim, head_dim, scale);
        kv.table = block_tables + (long long)token_seq[t] * max_blocks_per_seq;
        float m, l;
        attend_general(kv, 0, positions[t] + 1, s, m, l);
        const float inv = 1.0f / l;
        bf16* o = out + t * out_stride + h * head_dim;
        for (int d = threadIdx.x; d < head_dim; d += ATT_THREADS) o[d] = (bf16)float_to_bf16(s.out[d] * inv);
    }
}

// grid (n_tokens, n_kv_heads, max_partitions), block 128 (exactly); the kernel named _gN serves group sizes
// n_heads / n_kv_heads up to N (launch _g1, _g2, _g4 or _g8: the group rounded up to a power of two, else __trap).
// Block (t, kvh, p) covers positions [p*partition_tokens, min((p+1)*partition_tokens, positions[t]+1)) for every
// query head h = kvh*group + g of the group; an empty partition (past the token's length) writes nothing.
// Otherwise, at i = (t*n_heads + h)*max_partitions + p: part_max[i] = the partition's largest scaled score,
// part_sum[i] = sum of exp(score - part_max[i]), part_out[i*head_dim + d] = the partition's softmax-weighted mean
// of V (already divided by part_sum).
#define GRID_DECODE_PARAMS                                                                                                          \
    const float* __restrict__ q, int q_stride, const bf16* __restrict__ k_pool, const bf16* __restrict__ v_pool,                     \
        const int* __restrict__ block_tables, int max_blocks_per_seq, const int* __restrict__ token_seq,                              \
        const int* __restrict__ positions, float* __restrict__ part_out, float* __restrict__ part_max, float* __restrict__ part_sum, \
        int n_tokens, int n_heads, int n_kv_heads, int head_dim, int block_size, int partition_tokens, int max_partitions, float scale
#define GRID_DECODE_ARGS                                                                                                             \
    q, q_stride, k_pool, v_pool, block_tables, max_blocks_per_seq, token_seq, positions, part_out, part_max, part_sum, n_tokens, n_heads, \
        n_kv_heads, head_dim, block_size, partition_tokens, max_partitions, scale, s
// Head dims 72..128 (16 lanes a key: Llama, Qwen, Mistral) get their own compiled layout; the rest work it out at run
// time (a third layout, for 8 lanes, made g4 spill).
#define GRID_DECODE_KERNEL(N, MIN_BLOCKS)                                                                                       \
    extern "C" __global__ void __launch_bounds__(ATT_THREADS, MIN_BLOCKS) attention_decode_partial_g##N(GRID_DECODE_PARAMS) \
    {                                                                                                                         \
        __shared__ __align__(16) DecodeSmem<N> s;                                                                             \
        const int chunks = head_dim >> 3;                                                                                     \
        if (chunks > 8 && chunks <= 16) decode_grouped<N, 16>(GRID_DECODE_ARGS);                                              \
        else decode_grouped<N, 0>(GRID_DECODE_ARGS);                                                                          \
    }
// Minimum blocks per SM: the register budget each group size's accumulators and query fragment need (8 + 8 floats
// a head; the in-flight K/V sit in shared memory). g4 at 5 (96 registers, no spills, 37 KB of shared memory each)
// beat 4 (128 registers) on an H100: Llama-3-8B's decode attention at batch 64 took 5.08 ms against 5.44.
GRID_DECODE_KERNEL(1, 6)
GRID_DECODE_KERNEL(2, 5)
GRID_DECODE_KERNEL(4, 5)
GRID_DECODE_KERNEL(8, 2)
#undef GRID_DECODE_KERNEL
#undef GRID_DECODE_PARAMS
#undef GRID_DECODE_ARGS

// grid (n_tokens, n_heads), block 128 (any size). Merges token t's ceil((positions[t]+1) / partition_tokens)
// partitions (at most max_partitions): weight w_p = part_sum[p] * exp(part_max[p] - max over p of part_max),
// out[t][h*head_dim + d] = bf16(sum_p w_p * part_out[p][d] / sum_p w_p).
extern "C" __global__ void attention_decode_merge(const float* __restrict__ part_out, const float* __restrict__ part_max,
                                                  const float* __restrict__ part_sum, const int* __restrict__ positions,
                                                  bf16* __restrict__ out, int n_tokens, int n_heads, int head_dim,
                                                  int partition_tokens, int max_partitions)
{
    __shared__ float w_s[256];
    const int t = blockIdx.x, h = blockIdx.y;
    if (t >= n_tokens || h >= n_heads) return;
    const long long len = (long long)positions[t] + 1;
    int np = (int)((len + partition_tokens - 1) / partition_tokens);
    if (np > max_partitions) np = max_partitions;
    const long long base = ((long long)t * n_heads + h) * max_partitions;
    float mx = neg_inf();
    for (int i = 0; i < np; i++) mx = fmaxf(mx, part_max[base + i]);
    float total = 0.0f;
    for (int i = 0; i < np; i++) total += part_sum[base + i] * expf(part_max[base + i] - mx);
    const float inv = 1.0f / total;
    bf16* o = out + ((long long)t * n_heads + h) * head_dim;
    // Each thread owns the same dims in every chunk of partitions.
    float acc[ATT_MAX_HEAD_DIM / 32];
    for (int e = 0; e < ATT_MAX_HEAD_DIM / 32; e++) acc[e] = 0.0f;
    for (int i0 = 0; i0 < np; i0 += 256)
    {
        const int n = np - i0 < 256 ? np - i0 : 256;
        __syncthreads();
        for (int i = threadIdx.x; i < n; i += blockDim.x)
            w_s[i] = part_sum[base + i0 + i] * expf(part_max[base + i0 + i] - mx);
        __syncthreads();
        int e = 0;
        for (int d = threadIdx.x; d < head_dim && e < ATT_MAX_HEAD_DIM / 32; d += blockDim.x, e++)
        {
            float a = 0.0f;
            for (int i = 0; i < n; i++) a += w_s[i] * part_out[(base + i0 + i) * head_dim + d];
            acc[e] += a;
        }
    }
    int e = 0;
    for (int d = threadIdx.x; d < head_dim && e < ATT_MAX_HEAD_DIM / 32; d += blockDim.x, e++)
        o[d] = (bf16)float_to_bf16(acc[e] * inv);
}
