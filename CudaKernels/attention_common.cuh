// Attention's shared pieces: sizes, reductions, paged KV access and the CUDA-core (F32) path used by decode and by
// prefill for head dims the tensor-core path does not take. Included by attention.cu (after its bf16 typedef).

#define ATT_THREADS 128      // the block size every attention kernel is launched with
#define ATT_MAX_HEAD_DIM 256
#define ATT_KV_TILE 128      // keys per tile, CUDA-core path
#define FA_Q_ROWS 64         // query rows per pass, tensor-core path (4 warps x 16)
#define FA_KV_TILE 64        // keys per tile, tensor-core path
#define FA_MAX_HEAD_DIM 128

__device__ __forceinline__ float neg_inf() { return __int_as_float(0xff800000); }

__device__ __forceinline__ float bf16_lo(unsigned int w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ float bf16_hi(unsigned int w) { return __uint_as_float(w & 0xffff0000u); }

// Round to nearest even; a NaN stays a quiet NaN (bit-identical to Grid.Engine.Models.Quantize.ToBFloat).
__device__ __forceinline__ unsigned int float_to_bf16(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

// Two floats as a BF16 pair: lo in the low half (the lower address, the lower column of an mma fragment).
__device__ __forceinline__ unsigned int pack_bf16(float lo, float hi) { return float_to_bf16(lo) | (float_to_bf16(hi) << 16); }

__device__ __forceinline__ float warp_sum(float v)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v)
{
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum / max over the block; every thread calls it and gets the same result.
__device__ __forceinline__ float block_sum(float v, float* scratch)
{
    v = warp_sum(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = 0.0f;
    for (int w = 0; w < ATT_THREADS / 32; w++) t += scratch[w];
    return t;
}

__device__ __forceinline__ float block_max(float v, float* scratch)
{
    v = warp_max(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = scratch[0];
    for (int w = 1; w < ATT_THREADS / 32; w++) t = fmaxf(t, scratch[w]);
    return t;
}

// One sequence's K/V for one KV head, as the pool lays it out: [block][kv_head][block_size][head_dim].
struct PagedKv
{
    const bf16* k_pool;
    const bf16* v_pool;
    const int* table; // the sequence's row of block_tables
    int n_kv_heads, head_dim, block_size, kvh;

    // Offset, in elements, of position pos's row.
    __device__ __forceinline__ long long row(int pos) const
    {
        int bi = pos / block_size;
        return (((long long)table[bi] * n_kv_heads + kvh) * block_size + (pos - bi * block_size)) * head_dim;
    }
};

// ---------------------------------------------------------------------------------------------------------
// CUDA-core path: one query against keys [k_begin, k_end), all F32 but the stored K/V.

struct GeneralSmem
{
    float q[ATT_MAX_HEAD_DIM];          // the query, times scale
    float p[ATT_KV_TILE];               // a tile's scores, then their exp
    long long row[ATT_KV_TILE];         // a tile's pool row offsets
    float red[32];
    float part[ATT_THREADS * 8];        // per key-group partial outputs
    float out[ATT_MAX_HEAD_DIM];        // sum over keys of exp(s - m) * v (unnormalised)
};

// s.q must hold the scaled query (and a barrier passed since it was written). On return, for every thread:
// m = the largest score, l = sum of exp(s - m), s.out[0..head_dim) = sum of exp(s - m) * v.
__device__ __forceinline__ void attend_general(const PagedKv& kv, int k_begin, int k_end, GeneralSmem& s, float& m_out, float& l_out)
{
    const int tid = threadIdx.x;
    const int hd = kv.head_dim;
    const int chunks = hd >> 3; // 8 BF16 (16 bytes) per chunk
    // Scores: G lanes (a power of two) share a key, each taking every G-th chunk.
    int G = 1;
    while (G < chunks && G < 32) G <<= 1;
    const int keys_per_pass = ATT_THREADS / G;
    const int key_slot = tid / G;
    const int sub = tid & (G - 1);
    // P.V: thread = (key group kg, chunk ch); key group kg takes every KG-th key.
    const int KG = ATT_THREADS / chunks;
    const int kg = tid / chunks;
    const int ch = tid - kg * chunks;
    const bool pv = kg < KG;

    float acc[8];
#pragma unroll
    for (int e = 0; e < 8; e++) acc[e] = 0.0f;
    float m = neg_inf(), l = 0.0f;

    for (int kt = k_begin; kt < k_end; kt += ATT_KV_TILE)
    {
        const int n = k_end - kt < ATT_KV_TILE ? k_end - kt : ATT_KV_TILE;
        for (int j = tid; j < n; j += ATT_THREADS) s.row[j] = kv.row(kt + j);
        __syncthreads();

        // Uniform trip count: every lane reaches the shuffles.
        for (int j0 = 0; j0 < n; j0 += keys_per_pass)
        {
            const int j = j0 + key_slot;
            float d = 0.0f;
            if (j < n)
            {
                const uint4* kp = (const uint4*)(kv.k_pool + s.row[j]);
                for (int c = sub; c < chunks; c += G)
                {
                    uint4 w = kp[c];
                    const float4* qv = (const float4*)(s.q + 8 * c);
                    float4 a = qv[0], b = qv[1];
                    d += a.x * bf16_lo(w.x) + a.y * bf16_hi(w.x) + a.z * bf16_lo(w.y) + a.w * bf16_hi(w.y)
                       + b.x * bf16_lo(w.z) + b.y * bf16_hi(w.z) + b.z * bf16_lo(w.w) + b.w * bf16_hi(w.w);
                }
            }
            for (int o = G >> 1; o > 0; o >>= 1) d += __shfl_xor_sync(0xffffffffu, d, o);
            if (j < n && sub == 0) s.p[j] = d;
        }
        __syncthreads();

        float tm = neg_inf();
        for (int j = tid; j < n; j += ATT_THREADS) tm = fmaxf(tm, s.p[j]);
        tm = block_max(tm, s.red);
        const float m_new = fmaxf(m, tm);
        const float base = m_new == neg_inf() ? 0.0f : m_new; // all -inf so far: weights 0, no NaN
        const float corr = expf(m - base);
        float ts = 0.0f;
        for (int j = tid; j < n; j += ATT_THREADS)
        {
            float e = expf(s.p[j] - base);
            s.p[j] = e;
            ts += e;
        }
        ts = block_sum(ts, s.red); // its barriers also publish s.p
        l = l * corr + ts;
        m = m_new;

        if (pv)
        {
#pragma unroll
            for (int e = 0; e < 8; e++) acc[e] *= corr;
            for (int j = kg; j < n; j += KG)
            {
                const float pj = s.p[j];
                uint4 w = ((const uint4*)(kv.v_pool + s.row[j]))[ch];
                acc[0] += pj * bf16_lo(w.x);
                acc[1] += pj * bf16_hi(w.x);
                acc[2] += pj * bf16_lo(w.y);
                acc[3] += pj * bf16_hi(w.y);
                acc[4] += pj * bf16_lo(w.z);
                acc[5] += pj * bf16_hi(w.z);
                acc[6] += pj * bf16_lo(w.w);
                acc[7] += pj * bf16_hi(w.w);
            }
        }
        __syncthreads(); // before the next tile overwrites s.row and s.p
    }

    if (pv)
    {
#pragma unroll
        for (int e = 0; e < 8; e++) s.part[kg * hd + ch * 8 + e] = acc[e];
    }
    __syncthreads();
    for (int d = tid; d < hd; d += ATT_THREADS)
    {
        float o = 0.0f;
        for (int g = 0; g < KG; g++) o += s.part[g * hd + d];
        s.out[d] = o;
    }
    __syncthreads();
    m_out = m;
    l_out = l;
}

// Loads query row qrow times scale into s.q.
__device__ __forceinline__ void load_query(GeneralSmem& s, const float* qrow, int hd, float scale)
{
    __syncthreads(); // the previous query's readers of s.q / s.out are done
    for (int d = threadIdx.x; d < hd; d += ATT_THREADS) s.q[d] = qrow[d] * scale;
    __syncthreads();
}

