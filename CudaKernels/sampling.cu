// Sampling helpers over F32 logits rows: greedy argmax and sorted top-k. Self-contained for NVRTC (no headers).
//
// Order: values compare as floats, with +0 above -0 and NaN above everything (as .NET's
// TensorPrimitives.IndexOfMax treats them); equal values rank the lower token id first. The order is applied
// through a 32-bit key that grows with the value.

#define TOPK_MAX 64

__device__ __forceinline__ unsigned int order_key(float f)
{
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0xffffffffu; // NaN: above +inf
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// (key a, id a) ranks before (key b, id b).
__device__ __forceinline__ bool before(unsigned int ka, int ia, unsigned int kb, int ib)
{
    return ka > kb || (ka == kb && ia < ib);
}

// grid rows (any size: blocks stride), block 256 (any multiple of 32). ids[r] = the id of row r's largest
// logit (the lowest such id on ties), values[r] = that logit (values may be null).
extern "C" __global__ void argmax_rows(const float* __restrict__ logits, int* __restrict__ ids, float* __restrict__ values,
                                       int rows, int vocab)
{
    __shared__ unsigned int key_s[32];
    __shared__ int id_s[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        const float* row = logits + (long long)r * vocab;
        unsigned int bk = 0;
        int bi = 0x7fffffff;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x)
        {
            unsigned int k = order_key(row[i]);
            if (before(k, i, bk, bi)) { bk = k; bi = i; }
        }
        for (int o = 16; o > 0; o >>= 1)
        {
            unsigned int ok = __shfl_xor_sync(0xffffffffu, bk, o);
            int oi = __shfl_xor_sync(0xffffffffu, bi, o);
            if (before(ok, oi, bk, bi)) { bk = ok; bi = oi; }
        }
        __syncthreads(); // the previous row's reads of key_s/id_s are done
        if (lane == 0) { key_s[warp] = bk; id_s[warp] = bi; }
        __syncthreads();
        if (threadIdx.x == 0)
        {
            for (int w = 1; w < (int)(blockDim.x >> 5); w++)
                if (before(key_s[w], id_s[w], bk, bi)) { bk = key_s[w]; bi = id_s[w]; }
            if (bi >= vocab) bi = 0; // vocab == 0
            ids[r] = bi;
            if (values) values[r] = vocab > 0 ? row[bi] : __int_as_float(0xff800000);
        }
    }
}

// grid rows (any size: blocks stride), block 256 (any multiple of 32). ids[r][0..k) / values[r][0..k) = row r's
// k largest logits, sorted descending (ties: lower id first). k <= 64; when k > vocab, entries past vocab are
// id -1, value -inf.
// A radix select on the order key finds the k-th largest key T in four byte-wide histogram passes; one more
// pass gathers the keys above T and the lowest-id keys equal to T; the k candidates are then ranked.
extern "C" __global__ void topk_rows(const float* __restrict__ logits, int* __restrict__ ids, float* __restrict__ values,
                                     int rows, int vocab, int k)
{
    __shared__ unsigned int hist[256];
    __shared__ unsigned int cand_key[TOPK_MAX];
    __shared__ int cand_id[TOPK_MAX];
    __shared__ unsigned int warp_count[32];
    __shared__ unsigned int s_digit, s_remaining, s_equal, s_count, s_taken;
    if (k <= 0) return;
    if (k > TOPK_MAX) k = TOPK_MAX; // outside the contract: keep to the buffers
    const unsigned int full = 0xffffffffu;
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int nwarps = blockDim.x >> 5;
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        const float* row = logits + (long long)r * vocab;
        int kk = k < vocab ? k : vocab;
        unsigned int prefix = 0, mask = 0, remaining = (unsigned int)kk, equal = 0;
        if (kk > 0)
        {
            for (int shift = 24; shift >= 0; shift -= 8)
            {
                __syncthreads(); // the previous pass (or row) is done with hist and the s_ values
                for (int b = threadIdx.x; b < 256; b += blockDim.x) hist[b] = 0;
                __syncthreads();
                // Uniform trip count, so whole warps can aggregate equal bins with __match_any_sync.
                for (int base = 0; base < vocab; base += blockDim.x)
                {
                    int i = base + threadIdx.x;
                    unsigned int bin = 256;
                    if (i < vocab)
                    {
                        unsigned int key = order_key(row[i]);
                        if ((key & mask) == prefix) bin = (key >> shift) & 255u;
                    }
                    unsigned int peers = __match_any_sync(full, bin);
                    if (bin < 256 && lane == __ffs(peers) - 1) atomicAdd(&hist[bin], (unsigned int)__popc(peers));
                }
                __syncthreads();
                if (threadIdx.x == 0)
                {
                    unsigned int above = 0;
                    int b = 255;
                    for (; b > 0; b--)
                    {
                        if (above + hist[b] >= remaining) break;
                        above += hist[b];
                    }
                    s_digit = (unsigned int)b;
                    s_remaining = remaining - above;
                    s_equal = hist[b];
                }
                __syncthreads();
                prefix |= s_digit << shift;
                mask |= 255u << shift;
                remaining = s_remaining;
                equal = s_equal; // after the last pass: how many keys equal T = prefix
            }
        }
        // Gather: every key above T (kk - remaining of them) and the first `remaining` keys equal to T by id.
        unsigned int above_count = (unsigned int)kk - remaining;
        __syncthreads();
        if (threadIdx.x == 0) { s_count = 0; s_taken = 0; }
        __syncthreads();
        if (kk > 0)
        {
            bool all_equal = equal == remaining; // every key equal to T is taken: no id order needed
            for (int i = threadIdx.x; i < vocab; i += blockDim.x)
            {
                unsigned int key = order_key(row[i]);
                if (key > prefix || (all_equal && key == prefix))
                {
                    unsigned int at = atomicAdd(&s_count, 1u);
                    if (at < (unsigned int)kk) { cand_key[at] = key; cand_id[at] = i; }
                }
            }
            if (!all_equal)
            {
                // Keys equal to T in id order, a block-wide tile at a time, until enough are taken.
                for (int base = 0; base < vocab; base += blockDim.x)
                {
                    __syncthreads();
                    unsigned int taken = s_taken;
                    if (taken >= remaining) break; // uniform: every thread read the same s_taken
                    int i = base + threadIdx.x;
                    bool eq = i < vocab && order_key(row[i]) == prefix;
                    unsigned int ballot = __ballot_sync(full, eq);
                    if (lane == 0) warp_count[warp] = __popc(ballot);
                    __syncthreads();
                    unsigned int before_me = taken + __popc(ballot & ((1u << lane) - 1u));
                    unsigned int tile = 0;
                    for (int w = 0; w < nwarps; w++)
                    {
                        if (w < warp) before_me += warp_count[w];
                        tile += warp_count[w];
                    }
                    if (eq && before_me < remaining)
                    {
                        cand_key[above_count + before_me] = prefix;
                        cand_id[above_count + before_me] = i;
                    }
                    __syncthreads(); // everyone has read s_taken and warp_count
                    if (threadIdx.x == 0) s_taken = taken + tile;
                }
            }
        }
        __syncthreads();
        // Rank the candidates: candidate c goes to the number of candidates before it.
        int* out_ids = ids + (long long)r * k;
        float* out_values = values ? values + (long long)r * k : 0;
        for (int c = threadIdx.x; c < k; c += blockDim.x)
        {
            if (c < kk)
            {
                unsigned int key = cand_key[c];
                int id = cand_id[c];
                int rank = 0;
                for (int j = 0; j < kk; j++) rank += before(cand_key[j], cand_id[j], key, id);
                out_ids[rank] = id;
                if (out_values) out_values[rank] = row[id];
            }
            else
            {
                out_ids[c] = -1;
                if (out_values) out_values[c] = __int_as_float(0xff800000);
            }
        }
    }
}
