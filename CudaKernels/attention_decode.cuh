// Decode attention, split over the KV length, grouped by KV head (GQA): one block per (token, KV head, partition)
// serves all the query heads that share that KV head, so each K and V element of the partition is read from global
// memory once (not once per query head). Included by attention.cu (after attention_common.cuh).
//
// Layout of a tile (keys [kt, kt + n) of the partition): the LK lanes of a key group (LK = head_dim/8 rounded up to a
// power of two) each own one 16-byte chunk (8 BF16) of the key row, so a warp reads whole rows, coalesced; the block
// takes 128/LK keys per pass and DEC_LOADS passes per tile, every K and V load of the tile issued before the first
// is used. Scores: each lane's partial dot products for the GP heads are reduced over its key group by halving
// (each shuffle step hands half the heads to the partner lane), then stored [head][key] in shared memory.
// Softmax: warp w owns heads w, w+4 (their running max and sum in registers) and writes each tile's correction.
// P.V: the same lane that loaded V[key][chunk] adds p[head][key] * V into its GP x 8 accumulators. Score and
// correction buffers alternate between two tiles, so a tile needs two barriers. All arithmetic F32.

#define DEC_LOADS 4      // K and V chunks each lane loads per tile
#define DEC_MAX_TILE 128 // keys per tile at most (head_dim <= 32 gives short rows: more keys a pass)

template <int GP>
struct DecodeSmem
{
    union
    {
        float p[2][GP * DEC_MAX_TILE];                        // scores, then exp(score - m): [head][key], two tiles in turn
        float part[ATT_THREADS / 32][GP * ATT_MAX_HEAD_DIM];  // per-warp partial outputs, at the end
    } u;
    float corr[2][GP]; // per head: exp(old max - new max) of the tile
    float m[GP], l[GP];
};

// GP: the group size (query heads per KV head) rounded up to a power of two; heads past the real group compute
// zeros and are not written.
template <int GP>
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
    int lk = 1;
    while (lk < chunks) lk <<= 1;
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

    int buf = 0;
    for (int kt = (int)k_begin; kt < k_end; kt += tile, buf ^= 1)
    {
        const int n = k_end - kt < tile ? k_end - kt : tile;
        uint4 kw[DEC_LOADS], vw[DEC_LOADS];
#pragma unroll
        for (int i = 0; i < DEC_LOADS; i++)
        {
            const int j = slot + kpb * i;
            if (i < loads && j < n && active)
            {
                const int pos = kt + j;
                const int bi = pos / block_size;
                const long long row = (((long long)table[bi] * n_kv_heads + kvh) * block_size + (pos - bi * block_size)) * head_dim;
                kw[i] = ((const uint4*)(k_pool + row))[sub];
                vw[i] = ((const uint4*)(v_pool + row))[sub];
            }
            else
            {
                kw[i].x = kw[i].y = kw[i].z = kw[i].w = 0u;
                vw[i].x = vw[i].y = vw[i].z = vw[i].w = 0u;
            }
        }

        float* ps = s.u.p[buf];
#pragma unroll
        for (int i = 0; i < DEC_LOADS; i++)
        {
            if (i >= loads) break; // uniform over the block: every lane reaches the same shuffles
            const float k0 = bf16_lo(kw[i].x), k1 = bf16_hi(kw[i].x), k2 = bf16_lo(kw[i].y), k3 = bf16_hi(kw[i].y);
            const float k4 = bf16_lo(kw[i].z), k5 = bf16_hi(kw[i].z), k6 = bf16_lo(kw[i].w), k7 = bf16_hi(kw[i].w);
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
                const float v0 = bf16_lo(vw[i].x), v1 = bf16_hi(vw[i].x), v2 = bf16_lo(vw[i].y), v3 = bf16_hi(vw[i].y);
                const float v4 = bf16_lo(vw[i].z), v5 = bf16_hi(vw[i].z), v6 = bf16_lo(vw[i].w), v7 = bf16_hi(vw[i].w);
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
        // No barrier: the next tile writes the other score and correction buffers.
    }

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
