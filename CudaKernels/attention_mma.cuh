// Attention's tensor-core prefill (FlashAttention-2 style, mma.sync m16n8k16). Included by attention.cu after
// attention_common.cuh.

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
