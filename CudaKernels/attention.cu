// Paged attention over the BF16 KV pool: prefill (causal, tiled over the KV length with an online softmax) and
// decode (split over the KV length into partitions, then merged). GQA: query head h reads KV head
// h / (n_heads / n_kv_heads). Self-contained for NVRTC (no headers).
//
// Two ways through attention_prefill, chosen by head_dim:
// - head_dim a multiple of 16 and at most 128: tensor cores (mma.sync m16n8k16, BF16 in, F32 accumulate),
//   FlashAttention-2 style. Each warp owns 16 query rows, a block 64; K and V tiles of 64 keys go through shared
//   memory once for all 64 rows. Q and the softmax weights P are rounded to BF16 for the products.
// - otherwise (a multiple of 8, at most 256): CUDA cores, one query at a time, all in F32 but K/V.
// Decode always takes the F32 CUDA-core way.
typedef unsigned short bf16;

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

// ---------------------------------------------------------------------------------------------------------
// Tensor-core path.

#ifndef GRID_EMU // a host-side emulation used to check these kernels without a GPU supplies its own
// d += a * b for one warp: A 16x16 (row-major fragments), B 16x8 (column-major), D 16x8 F32. With
// g = lane / 4 and t = lane % 4: a0 = A[g][2t..2t+1], a1 = A[g+8][2t..], a2 = A[g][2t+8..], a3 = A[g+8][2t+8..];
// b0 = B[2t..2t+1][g], b1 = B[2t+8..2t+9][g]; d0,d1 = D[g][2t..2t+1], d2,d3 = D[g+8][2t..2t+1].
__device__ __forceinline__ void mma_16816(float* d, const unsigned int* a, unsigned int b0, unsigned int b1)
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
#endif

#define FA_SMEM_BYTES (2 * FA_KV_TILE * (FA_MAX_HEAD_DIM + 8) * 2 + FA_KV_TILE * 8)

// Rows [r_begin, r_end) of the step, query head h, in passes of 64 rows. Within a pass each run of consecutive
// rows of one sequence is attended separately (the usual batch has one or two runs per pass).
template <int HD>
__device__ void prefill_mma(const float* __restrict__ q, int q_stride, PagedKv kv, const int* __restrict__ block_tables,
                            int max_blocks_per_seq, const int* __restrict__ token_seq, const int* __restrict__ positions,
                            bf16* __restrict__ out, int n_heads, int h, int r_begin, int r_end, float scale,
                            unsigned char* smem)
{
    // (enum, not constexpr: NVRTC 11.8's default dialect here has no constexpr)
    enum
    {
        LD = HD + 8, // padded shared row, in BF16: conflict-free fragment reads
        KS = HD / 16,
        ND = HD / 8,
        CH = HD / 8  // 16-byte chunks per row
    };
    bf16* Ks = (bf16*)smem;
    bf16* Vs = Ks + FA_KV_TILE * LD;
    long long* row_s = (long long*)(smem + 2 * FA_KV_TILE * LD * 2);
    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int g = lane >> 2;
    const int t4 = lane & 3;
    const long long out_stride = (long long)n_heads * HD;

    for (int c0 = r_begin; c0 < r_end; c0 += FA_Q_ROWS)
    {
        const int c1 = c0 + FA_Q_ROWS < r_end ? c0 + FA_Q_ROWS : r_end;
        const int ra = c0 + warp * 16 + g; // this thread's two rows
        const int rb = ra + 8;
        const bool va = ra < c1, vb = rb < c1;

        unsigned int qa[KS][4];
        {
            const float* qra = q + (long long)(va ? ra : c0) * q_stride + h * HD;
            const float* qrb = q + (long long)(vb ? rb : c0) * q_stride + h * HD;
#pragma unroll
            for (int ks = 0; ks < KS; ks++)
            {
                const int col = ks * 16 + 2 * t4;
                qa[ks][0] = va ? pack_bf16(qra[col] * scale, qra[col + 1] * scale) : 0u;
                qa[ks][1] = vb ? pack_bf16(qrb[col] * scale, qrb[col + 1] * scale) : 0u;
                qa[ks][2] = va ? pack_bf16(qra[col + 8] * scale, qra[col + 9] * scale) : 0u;
                qa[ks][3] = vb ? pack_bf16(qrb[col + 8] * scale, qrb[col + 9] * scale) : 0u;
            }
        }

        for (int r0 = c0; r0 < c1;)
        {
            const int seq = token_seq[r0];
            int r1 = r0 + 1;
            int kv_end = positions[r0] + 1;
            while (r1 < c1 && token_seq[r1] == seq)
            {
                const int e = positions[r1] + 1;
                kv_end = e > kv_end ? e : kv_end;
                r1++;
            }
            // The last key each row may see in this run; -1 for a row outside the run.
            const int pa = va && ra >= r0 && ra < r1 ? positions[ra] : -1;
            const int pb = vb && rb >= r0 && rb < r1 ? positions[rb] : -1;
            int wmax = pa > pb ? pa : pb;
            for (int o = 16; o > 0; o >>= 1)
            {
                const int x = __shfl_xor_sync(0xffffffffu, wmax, o);
                wmax = x > wmax ? x : wmax;
            }
            kv.table = block_tables + (long long)seq * max_blocks_per_seq;

            float acc[ND][4];
#pragma unroll
            for (int nd = 0; nd < ND; nd++) acc[nd][0] = acc[nd][1] = acc[nd][2] = acc[nd][3] = 0.0f;
            float m0 = neg_inf(), m1 = neg_inf(), l0 = 0.0f, l1 = 0.0f;

            for (int kt = 0; kt < kv_end; kt += FA_KV_TILE)
            {
                __syncthreads(); // the previous tile's (or run's) readers are done
                if (tid < FA_KV_TILE) row_s[tid] = kt + tid < kv_end ? kv.row(kt + tid) : -1;
                __syncthreads();
                for (int i = tid; i < FA_KV_TILE * CH; i += ATT_THREADS)
                {
                    const int j = i / CH;
                    const int c = i - j * CH;
                    const long long ro = row_s[j];
                    uint4 kw, vw;
                    if (ro >= 0)
                    {
                        kw = ((const uint4*)(kv.k_pool + ro))[c];
                        vw = ((const uint4*)(kv.v_pool + ro))[c];
                    }
                    else
                    {
                        // Zeros past the end: masked scores, and no stale Inf/NaN times a zero weight.
                        kw.x = kw.y = kw.z = kw.w = 0u;
                        vw = kw;
                    }
                    *(uint4*)(Ks + j * LD + c * 8) = kw;
                    *(uint4*)(Vs + j * LD + c * 8) = vw;
                }
                __syncthreads();
                if (wmax < kt) continue; // warp-uniform: the whole tile is in this warp's rows' future

                // S = Q K^T for 16 rows x 64 keys: 8 tiles of 8 keys.
                float sc[FA_KV_TILE / 8][4];
#pragma unroll
                for (int nt = 0; nt < FA_KV_TILE / 8; nt++)
                {
                    sc[nt][0] = sc[nt][1] = sc[nt][2] = sc[nt][3] = 0.0f;
                    const bf16* kr = Ks + (nt * 8 + g) * LD + 2 * t4;
#pragma unroll
                    for (int ks = 0; ks < KS; ks++)
                        mma_16816(sc[nt], qa[ks], *(const unsigned int*)(kr + ks * 16), *(const unsigned int*)(kr + ks * 16 + 8));
                }

                // Causal mask, row maxima (a row's 64 scores sit in the 4 lanes of its group).
                float mx0 = neg_inf(), mx1 = neg_inf();
#pragma unroll
                for (int nt = 0; nt < FA_KV_TILE / 8; nt++)
#pragma unroll
                    for (int e = 0; e < 2; e++)
                    {
                        const int key = kt + nt * 8 + 2 * t4 + e;
                        if (key > pa) sc[nt][e] = neg_inf();
                        if (key > pb) sc[nt][2 + e] = neg_inf();
                        mx0 = fmaxf(mx0, sc[nt][e]);
                        mx1 = fmaxf(mx1, sc[nt][2 + e]);
                    }
                mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 1));
                mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 2));
                mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 1));
                mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 2));
                const float n0 = fmaxf(m0, mx0), n1 = fmaxf(m1, mx1);
                const float b0 = n0 == neg_inf() ? 0.0f : n0; // a row with nothing visible yet: weights 0
                const float b1 = n1 == neg_inf() ? 0.0f : n1;
                const float corr0 = expf(m0 - b0), corr1 = expf(m1 - b1);
                m0 = n0;
                m1 = n1;
                float s0 = 0.0f, s1 = 0.0f;
#pragma unroll
                for (int nt = 0; nt < FA_KV_TILE / 8; nt++)
                {
                    sc[nt][0] = expf(sc[nt][0] - b0);
                    sc[nt][1] = expf(sc[nt][1] - b0);
                    sc[nt][2] = expf(sc[nt][2] - b1);
                    sc[nt][3] = expf(sc[nt][3] - b1);
                    s0 += sc[nt][0] + sc[nt][1];
                    s1 += sc[nt][2] + sc[nt][3];
                }
                l0 = l0 * corr0 + s0; // this lane's share; the group's four are added at the end
                l1 = l1 * corr1 + s1;
#pragma unroll
                for (int nd = 0; nd < ND; nd++)
                {
                    acc[nd][0] *= corr0;
                    acc[nd][1] *= corr0;
                    acc[nd][2] *= corr1;
                    acc[nd][3] *= corr1;
                }

                // O += P V: P's accumulator fragments are the A fragments of the next product.
#pragma unroll
                for (int kk = 0; kk < FA_KV_TILE / 16; kk++)
                {
                    unsigned int pa4[4];
                    pa4[0] = pack_bf16(sc[2 * kk][0], sc[2 * kk][1]);
                    pa4[1] = pack_bf16(sc[2 * kk][2], sc[2 * kk][3]);
                    pa4[2] = pack_bf16(sc[2 * kk + 1][0], sc[2 * kk + 1][1]);
                    pa4[3] = pack_bf16(sc[2 * kk + 1][2], sc[2 * kk + 1][3]);
                    const bf16* vr = Vs + (kk * 16 + 2 * t4) * LD + g;
#pragma unroll
                    for (int nd = 0; nd < ND; nd++)
                    {
                        const bf16* v = vr + nd * 8;
                        const unsigned int vb0 = (unsigned int)v[0] | ((unsigned int)v[LD] << 16);
                        const unsigned int vb1 = (unsigned int)v[8 * LD] | ((unsigned int)v[9 * LD] << 16);
                        mma_16816(acc[nd], pa4, vb0, vb1);
                    }
                }
            }

            l0 += __shfl_xor_sync(0xffffffffu, l0, 1);
            l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 1);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
            if (pa >= 0)
            {
                const float inv = 1.0f / l0;
                unsigned int* o = (unsigned int*)(out + (long long)ra * out_stride + h * HD + 2 * t4);
#pragma unroll
                for (int nd = 0; nd < ND; nd++) o[nd * 4] = pack_bf16(acc[nd][0] * inv, acc[nd][1] * inv);
            }
            if (pb >= 0)
            {
                const float inv = 1.0f / l1;
                unsigned int* o = (unsigned int*)(out + (long long)rb * out_stride + h * HD + 2 * t4);
#pragma unroll
                for (int nd = 0; nd < ND; nd++) o[nd * 4] = pack_bf16(acc[nd][2] * inv, acc[nd][3] * inv);
            }
            r0 = r1;
        }
    }
}

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

// grid (n_tokens, n_heads, max_partitions), block 128. Partition p of token t covers positions
// [p*partition_tokens, min((p+1)*partition_tokens, positions[t]+1)); an empty one (past the token's length)
// returns at once and writes nothing. Otherwise, at i = (t*n_heads + h)*max_partitions + p:
// part_max[i] = the partition's largest score, part_sum[i] = sum of exp(score - part_max[i]),
// part_out[i*head_dim + d] = the partition's softmax-weighted mean of V (already divided by part_sum).
// (min 8 blocks per SM: without it ptxas for sm_90 settles on 48 registers and spills)
extern "C" __global__ void __launch_bounds__(ATT_THREADS, 8)
attention_decode_partial(const float* __restrict__ q, int q_stride, const bf16* __restrict__ k_pool,
                         const bf16* __restrict__ v_pool, const int* __restrict__ block_tables, int max_blocks_per_seq,
                         const int* __restrict__ token_seq, const int* __restrict__ positions, float* __restrict__ part_out,
                         float* __restrict__ part_max, float* __restrict__ part_sum, int n_tokens, int n_heads,
                         int n_kv_heads, int head_dim, int block_size, int partition_tokens, int max_partitions, float scale)
{
    __shared__ __align__(16) GeneralSmem s;
    if (blockDim.x != ATT_THREADS || head_dim > ATT_MAX_HEAD_DIM || (head_dim & 7) != 0) __trap();
    const int t = blockIdx.x, h = blockIdx.y, p = blockIdx.z;
    if (t >= n_tokens || h >= n_heads || p >= max_partitions) return;
    const int len = positions[t] + 1;
    const long long k_begin = (long long)p * partition_tokens;
    if (k_begin >= len) return;
    const int k_end = k_begin + partition_tokens < len ? (int)(k_begin + partition_tokens) : len;

    PagedKv kv;
    kv.k_pool = k_pool;
    kv.v_pool = v_pool;
    kv.table = block_tables + (long long)token_seq[t] * max_blocks_per_seq;
    kv.n_kv_heads = n_kv_heads;
    kv.head_dim = head_dim;
    kv.block_size = block_size;
    kv.kvh = h / (n_heads / n_kv_heads);

    load_query(s, q + (long long)t * q_stride + h * head_dim, head_dim, scale);
    float m, l;
    attend_general(kv, (int)k_begin, k_end, s, m, l);
    const long long i = ((long long)t * n_heads + h) * max_partitions + p;
    const float inv = 1.0f / l;
    for (int d = threadIdx.x; d < head_dim; d += ATT_THREADS) part_out[i * head_dim + d] = s.out[d] * inv;
    if (threadIdx.x == 0)
    {
        part_max[i] = m;
        part_sum[i] = l;
    }
}

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
