// Decode attention, split over the KV length, grouped by KV head (GQA): one block per (token, KV head, partition)
// serves all the query heads that share that KV head, so each K and V element of the partition is read from global
// memory once (not once per query head). Included by attention.cu (after attention_common.cuh).
//
// Layout of a tile (keys [kt, kt + n) of the partition): the LK lanes of a key group (LK = head_dim/8 rounded up to a
// power of two) each own one 16-byte chunk (8 BF16) of the key row, so a warp reads whole rows, coalesced; the block
// takes 128/LK keys per pass and DEC_LOADS passes per tile. Loads: each thread copies its own K and V chunks of a tile
// into its own slots of shared memory with cp.async (sm_80+; older devices copy synchronously), one tile ahead: the
// next tile's bytes are in flight while this one is computed, and they hold no registers meanwhile. Only the thread
// that copied a chunk reads it, so its own cp.async.wait_group is all the ordering needed. The block-table entries of
// the tile after that are loaded a tile ahead too, so issuing the copies never waits on them.
// Scores: each lane's partial dot products for the GP heads are reduced over its key group by halving
// (each shuffle step hands half the heads to the partner lane), then stored [head][key] in shared memory.
// Softmax: warp w owns heads w, w+4 (their running max and sum in registers) and writes each tile's correction.
// P.V: the same lane that loaded V[key][chunk] adds p[head][key] * V into its GP x 8 accumulators. Score and
// correction buffers alternate between two tiles, so a tile needs two barriers. All arithmetic F32.

#define DEC_LOADS 4      // K and V chunks each lane loads per tile
#define DEC_MAX_TILE 128 // keys per tile at most (head_dim <= 32 gives short rows: more keys a pass)
#define DEC_STAGES 2     // tiles in shared memory: the one being computed and the one in flight

#ifndef GRID_EMU // a host-side emulation used to check these kernels without a GPU supplies its own
// 16 bytes global -> shared, asynchronous where the device has cp.async (.cg: L2 only, the KV is read once).
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem)
{
#if __CUDA_ARCH__ >= 800
    unsigned int a;
    asm volatile("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }\n" : "=r"(a) : "l"(smem));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(a), "l"(gmem) : "memory");
#else
    *(uint4*)smem = *(const uint4*)gmem;
#endif
}

__device__ __forceinline__ void cp_async_commit()
{
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}

// Waits until at most N of this thread's committed groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait()
{
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
#endif
}
#endif

template <int GP>
struct DecodeSmem
{
    union
    {
        struct
        {
            uint4 kv[DEC_STAGES][2][DEC_LOADS][ATT_THREADS]; // [stage][K, V][pass][thread]: each thread's own chunks
            float p[2][GP * DEC_MAX_TILE];                   // scores, then exp(score - m): [head][key], two tiles in turn
        } t;
        float part[ATT_THREADS / 32][GP * ATT_MAX_HEAD_DIM]; // per-warp partial outputs, at the end
    } u;
    float corr[2][GP]; // per head: exp(old max - new max) of the tile
    float m[GP], l[GP];
};

// GP: the group size (query heads per KV head) rounded up to a power of two; heads past the real group compute
// zeros and are not written. LK: the lanes per key (head_dim / 8 rounded up to a power of two) when known at compile
// time, which turns the layout's divisions and the reduction's loops into constants; 0: from head_dim at run time.
template <int GP, int LK>
__device__ __forceinline__ void decode_grouped(const float* __restrict__ q, int q_stride, const bf16* __restrict__ k_pool,
                                               const bf16* __restrict__ v_pool, const int* __restrict__ block_tables, int max_blocks_per_seq,
                                               const int* __restrict__ token_seq, const int* __restrict__ positions, float* __restrict__ part_out,
                                               float* __restrict__ part_max, float* __restrict__ part_sum, int n_tokens, int n_heads,
                                               int n_kv_heads, int head_dim, int block_size, int partition_tokens, int max_partitions,
                                               float scale, DecodeSmem<GP>& s)
{
    const int group = n_kv_heads > 0 ? n_heads / n_kv_heads : 0;
    if (blockDim.x != ATT_THREADS || head_dim <= 0 || head_dim > ATT_MAX_HEAD_DIM || (head_dim & 7) != 0 || group < 1 || group > GP ||
        group * n_kv_heads != n_heads)
        __trap();
    const int t = blockIdx.x, kvh = blockIdx.y, p = blockIdx.z;
    if (t >= n_tokens || kvh >= n_kv_heads || p >= max_partitions) return;
    const int len = positions[t] + 1;
    const long long k_begin = (long long)p * partition_tokens;
    if (k_begin >= len) return;
    const int k_end = k_begin + partition_tokens < len ? (int)(k_begin + partition_tokens) : len;

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int chunks = head_dim >> 3;
    int lk = LK;
    if (LK == 0)
    {
        lk = 1;
        while (lk < chunks) lk <<= 1;
    }
    const int kpb = ATT_THREADS / lk; // keys per pass
    const int loads = kpb * DEC_LOADS <= DEC_MAX_TILE ? DEC_LOADS : DEC_MAX_TILE / kpb;
    const int tile = kpb * loads;
    const int slot = tid / lk, sub = tid & (lk - 1);
    const bool active = sub < chunks;
    const int* table = block_tables + (long long)token_seq[t] * max_blocks_per_seq;

    float qr[GP][8];
#pragma unroll
    for (int g = 0; g < GP; g++)
    {
        const float* qp = q + (long long)t * q_stride + (long long)(kvh * group + g) * head_dim + sub * 8;
#pragma unroll
        for (int e = 0; e < 8; e++) qr[g][e] = g < group && active ? qp[e] * scale : 0.0f;
    }

    // After the halving steps a lane holds `cnt` complete sums, heads hbase..hbase+cnt; lanes that differ only in
    // the bits below `dup` hold the same ones (only the lowest writes). The same for every tile.
    int hbase = 0, cnt = GP, o_after = lk >> 1;
#pragma unroll
    for (int n = GP; n > 1; n >>= 1)
        if (o_after > 0)
        {
            if (lane & o_after) hbase += n / 2;
            cnt = n / 2;
            o_after >>= 1;
        }
    const bool writer = (sub & (o_after ? 2 * o_after - 1 : 0)) == 0;

    float acc[GP][8];
#pragma unroll
    for (int g = 0; g < GP; g++)
#pragma unroll
        for (int e = 0; e < 8; e++) acc[g][e] = 0.0f;
    float m_r[(GP + 3) / 4], l_r[(GP + 3) / 4];
#pragma unroll
    for (int i = 0; i < (GP + 3) / 4; i++)
    {
        m_r[i] = neg_inf();
        l_r[i] = 0.0f;
    }

    // A power-of-two block size (the usual case) turns the divisions below into shifts and masks.
    const int bs_shift = (block_size & (block_size - 1)) == 0 ? __ffs(block_size) - 1 : -1;
    // Block-table entries of the next tile to copy (this thread's keys of it); 0 where it copies nothing.
    int tb[DEC_LOADS];
#define DEC_TABLE(KT)                                                                                       \
    _Pragma("unroll") for (int i = 0; i < DEC_LOADS; i++)                                                                     \
    {                                                                                                       \
        const int j = slot + kpb * i;                                                                       \
        tb[i] = i < loads && (KT) + j < k_end && active ? table[bs_shift >= 0 ? ((KT) + j) >> bs_shift : ((KT) + j) / block_size] : 0; \
    }
    // Copies this thread's K and V chunks of the tile at KT into stage STG (keys past k_end: nothing).
#define DEC_COPY(KT, STG)                                                                                   \
    _Pragma("unroll") for (int i = 0; i < DEC_LOADS; i++)                                                                     \
    {                                                                                                       \
        const int j = slot + kpb * i;                                                                       \
        if (i < loads && (KT) + j < k_end && active)                                                        \
        {                                                                                                   \
            const int pos = (KT) + j;                                                                       \
            const int off = bs_shift >= 0 ? pos & (block_size - 1) : pos % block_size;                      \
            const long long row = (((long long)tb[i] * n_kv_heads + kvh) * block_size + off) * head_dim;   \
            cp_async16(&s.u.t.kv[STG][0][i][tid], (const uint4*)(k_pool + row) + sub);                      \
            cp_async16(&s.u.t.kv[STG][1][i][tid], (const uint4*)(v_pool + row) + sub);                      \
        }                                                                                                   \
    }
    DEC_TABLE((int)k_begin)
    DEC_COPY((int)k_begin, 0)
    cp_async_commit();
    if (k_begin + tile < k_end)
    {
        DEC_TABLE((int)k_begin + tile)
    }

    int buf = 0, stage = 0;
    for (int kt = (int)k_begin; kt < k_end; kt += tile, buf ^= 1, stage ^= 1)
    {
        const int n = k_end - kt < tile ? k_end - kt : tile;
        // The next tile's copies go out before this one is computed; the entries for the one after follow.
        if (kt + tile < k_end)
        {
            DEC_COPY(kt + tile, stage ^ 1)
        }
        cp_async_commit(); // an empty group at the last tile keeps the count: the wait below is always for this tile
        if (kt + 2 * tile < k_end)
        {
            DEC_TABLE(kt + 2 * tile)
        }
        cp_async_wait<1>();
        const uint4* mine = &s.u.t.kv[stage][0][0][tid];
        float* ps = s.u.t.p[buf];
#pragma unroll
        for (int i = 0; i < DEC_LOADS; i++)
        {
            if (i >= loads) break; // uniform over the block: every lane reaches the same shuffles
            uint4 kw = mine[i * ATT_THREADS];
            if (!(slot + kpb * i < n && active)) kw.x = kw.y = kw.z = kw.w = 0u; // a lane with nothing copied adds zeros to its key group
            const float k0 = bf16_lo(kw.x), k1 = bf16_hi(kw.x), k2 = bf16_lo(kw.y), k3 = bf16_hi(kw.y);
            const float k4 = bf16_lo(kw.z), k5 = bf16_hi(kw.z), k6 = bf16_lo(kw.w), k7 = bf16_hi(kw.w);
            float d[GP];
#pragma unroll
            for (int g = 0; g < GP; g++)
                d[g] = qr[g][0] * k0 + qr[g][1] * k1 + qr[g][2] * k2 + qr[g][3] * k3 + qr[g][4] * k4 + qr[g][5] * k5 + qr[g][6] * k6 +
                       qr[g][7] * k7;
            int o = lk >> 1;
#pragma unroll
            for (int h = GP; h > 1; h >>= 1)
                if (o > 0)
                {
                    const bool up = (lane & o) != 0;
#pragma unroll
                    for (int c = 0; c < h / 2; c++)
                    {
                        const float send = up ? d[c] : d[c + h / 2];
                        const float keep = up ? d[c + h / 2] : d[c];
                        d[c] = keep + __shfl_xor_sync(0xffffffffu, send, o);
                    }
                    o >>= 1;
                }
            for (; o > 0; o >>= 1) d[0] += __shfl_xor_sync(0xffffffffu, d[0], o);
            const int j = slot + kpb * i;
            if (j < n && writer)
            {
#pragma unroll
                for (int c = 0; c < GP; c++)
                    if (c < cnt) ps[(hbase + c) * DEC_MAX_TILE + j] = d[c];
            }
        }
        __syncthreads();

#pragma unroll
        for (int i = 0; i < (GP + 3) / 4; i++)
        {
            const int g = warp + 4 * i;
            if (g < GP)
            {
                float* pg = ps + g * DEC_MAX_TILE;
                float tm = neg_inf();
                for (int j = lane; j < n; j += 32) tm = fmaxf(tm, pg[j]);
                tm = warp_max(tm);
                const float m_new = fmaxf(m_r[i], tm);
                const float base = m_new == neg_inf() ? 0.0f : m_new; // all -inf so far: weights 0, no NaN
                const float corr = expf(m_r[i] - base);
                float ts = 0.0f;
                for (int j = lane; j < n; j += 32)
                {
                    const float e = expf(pg[j] - base);
                    pg[j] = e;
                    ts += e;
                }
                ts = warp_sum(ts);
                l_r[i] = l_r[i] * corr + ts;
                m_r[i] = m_new;
                if (lane == 0) s.corr[buf][g] = corr;
            }
        }
        __syncthreads();

#pragma unroll
        for (int g = 0; g < GP; g++)
        {
            const float c = s.corr[buf][g];
#pragma unroll
            for (int e = 0; e < 8; e++) acc[g][e] *= c;
        }
#pragma unroll
        for (int i = 0; i < DEC_LOADS; i++)
        {
            const int j = slot + kpb * i;
            if (i < loads && j < n && active)
            {
                const uint4 vw = mine[(DEC_LOADS + i) * ATT_THREADS];
                const float v0 = bf16_lo(vw.x), v1 = bf16_hi(vw.x), v2 = bf16_lo(vw.y), v3 = bf16_hi(vw.y);
                const float v4 = bf16_lo(vw.z), v5 = bf16_hi(vw.z), v6 = bf16_lo(vw.w), v7 = bf16_hi(vw.w);
#pragma unroll
                for (int g = 0; g < GP; g++)
                {
                    const float w = ps[g * DEC_MAX_TILE + j];
                    acc[g][0] += w * v0;
                    acc[g][1] += w * v1;
                    acc[g][2] += w * v2;
                    acc[g][3] += w * v3;
                    acc[g][4] += w * v4;
                    acc[g][5] += w * v5;
                    acc[g][6] += w * v6;
                    acc[g][7] += w * v7;
                }
            }
        }
        // No barrier: the next tile writes the other score and correction buffers, and its copies go to the stage
        // this thread has just read (its own slots only).
    }
    cp_async_wait<0>(); // nothing in flight into the buffers that part overlays (the last group is empty)
#undef DEC_TABLE
#undef DEC_COPY

#pragma unroll
    for (int i = 0; i < (GP + 3) / 4; i++)
    {
        const int g = warp + 4 * i;
        if (g < GP && lane == 0)
        {
            s.m[g] = m_r[i];
            s.l[g] = l_r[i];
        }
    }
    // Key groups of one warp (lanes that differ in the bits from lk up) add up by shuffles, the four warps in shared memory.
    for (int o = lk; o < 32; o <<= 1)
#pragma unroll
        for (int g = 0; g < GP; g++)
#pragma unroll
            for (int e = 0; e < 8; e++) acc[g][e] += __shfl_xor_sync(0xffffffffu, acc[g][e], o);
    __syncthreads(); // every warp is done with the score buffers that part overlays
    if (lane < lk && active)
    {
#pragma unroll
        for (int g = 0; g < GP; g++)
#pragma unroll
            for (int e = 0; e < 8; e++) s.u.part[warp][g * head_dim + sub * 8 + e] = acc[g][e];
    }
    __syncthreads();
    const long long first = ((long long)t * n_heads + (long long)kvh * group) * max_partitions + p;
    for (int idx = tid; idx < group * head_dim; idx += ATT_THREADS)
    {
        const int g = idx / head_dim;
        float o = 0.0f;
#pragma unroll
        for (int w = 0; w < ATT_THREADS / 32; w++) o += s.u.part[w][idx];
        const long long i = first + (long long)g * max_partitions;
        part_out[i * head_dim + (idx - g * head_dim)] = o * (1.0f / s.l[g]);
    }
    if (tid < group)
    {
        const long long i = first + (long long)tid * max_partitions;
        part_max[i] = s.m[tid];
        part_sum[i] = s.l[tid];
    }
}
