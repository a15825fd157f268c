// Logits processing before sampling: penalties, temperature, softmax. Self-contained for NVRTC (no headers).

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

// Sum / max over the block (blockDim.x a multiple of 32); every thread calls it and gets the same result.
__device__ __forceinline__ float block_sum(float v, float* scratch)
{
    v = warp_sum(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = 0.0f;
    for (int w = 0; w < (int)(blockDim.x >> 5); w++) t += scratch[w];
    return t;
}

__device__ __forceinline__ float block_max(float v, float* scratch)
{
    v = warp_max(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = scratch[0];
    for (int w = 1; w < (int)(blockDim.x >> 5); w++) t = fmaxf(t, scratch[w]);
    return t;
}

// grid rows (any size: blocks stride), block 256 (any size). logits[r][i] *= inv_temperature[r].
// A greedy row needs no call (or an inv_temperature of 1).
extern "C" __global__ void logits_temperature(float* __restrict__ logits, const float* __restrict__ inv_temperature,
                                              int rows, int vocab)
{
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        float s = inv_temperature[r];
        float* row = logits + (long long)r * vocab;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) row[i] *= s;
    }
}

// grid rows (any size: blocks stride), block 256 (any multiple of 32). In place:
// p[i] = exp(x[i] - max) / sum_j exp(x[j] - max). -inf logits get 0; a row that is all -inf (or NaN) is
// left all 0 rather than NaN.
extern "C" __global__ void softmax_rows(float* __restrict__ logits, int rows, int vocab)
{
    __shared__ float scratch[32];
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        float* row = logits + (long long)r * vocab;
        float m = __int_as_float(0xff800000); // -inf
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) m = fmaxf(m, row[i]);
        m = block_max(m, scratch);
        if (m == __int_as_float(0xff800000))
        {
            for (int i = threadIdx.x; i < vocab; i += blockDim.x) row[i] = 0.0f;
            continue;
        }
        float s = 0.0f;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x)
        {
            float e = expf(row[i] - m);
            row[i] = e;
            s += e;
        }
        s = block_sum(s, scratch);
        float inv = 1.0f / s;
        // Each thread rescales the elements it wrote itself: no barrier needed before this pass.
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) row[i] *= inv;
    }
}

// grid ceil(n/256), block 256 (any grid: threads stride). Entry i penalises token token_ids[i] of row
// row_of[i], which occurred counts[i] times in that row's generated tokens (0 for a token seen only in the
// prompt). Entries must be distinct (row, token) pairs, one for each token of the prompt or the output, as
// LogitPenalties does: the repetition penalty (if not 1) divides a positive logit or multiplies a negative one,
// then a token with count > 0 loses count * frequency + presence. repetition, presence and frequency are
// per-row arrays; a null array means no such penalty. Ids outside [0, vocab) are ignored.
extern "C" __global__ void apply_penalties(float* __restrict__ logits, const int* __restrict__ token_ids,
                                           const int* __restrict__ counts, const int* __restrict__ row_of, int n,
                                           int vocab, const float* __restrict__ repetition,
                                           const float* __restrict__ presence, const float* __restrict__ frequency)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    {
        int tok = token_ids[i];
        if (tok < 0 || tok >= vocab) continue;
        int r = row_of[i];
        float* p = logits + (long long)r * vocab + tok;
        float l = *p;
        float rep = repetition ? repetition[r] : 1.0f;
        if (rep != 1.0f) l = l > 0.0f ? l / rep : l * rep;
        int c = counts[i];
        if (c > 0)
        {
            float f = frequency ? frequency[r] : 0.0f;
            float pr = presence ? presence[r] : 0.0f;
            l -= __fadd_rn(__fmul_rn((float)c, f), pr); // no FMA contraction: bit-identical to LogitPenalties
        }
        *p = l;
    }
}

// Float order as signed ints: a < b as floats exactly when key(a) < key(b) (for non-NaN values).
__device__ __forceinline__ int order_key(float f)
{
    int bits = (int)__float_as_uint(f);
    return bits >= 0 ? bits : bits ^ 0x7fffffff;
}

__device__ __forceinline__ float key_float(int key)
{
    return __int_as_float(key >= 0 ? key : key ^ 0x7fffffff);
}

// grid rows (any size: blocks stride), block 256 (any multiple of 32). Nucleus (top-p) filtering in place:
// keeps the smallest set of highest logits whose softmax mass reaches top_p[r] and sets the rest to -inf.
// The cut is the largest logit t with mass(x >= t) >= top_p, found by bisection over the floats' order (32
// steps, exact), so tokens tied at the cut all stay. top_p[r] >= 1 (or a null top_p) leaves the row as is.
extern "C" __global__ void top_p_mask(float* __restrict__ logits, const float* __restrict__ top_p, int rows, int vocab)
{
    __shared__ float scratch[32];
    const float neg_inf = __int_as_float(0xff800000);
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        float p = top_p == 0 ? 1.0f : top_p[r];
        if (!(p < 1.0f)) continue;
        float* row = logits + (long long)r * vocab;
        float m = neg_inf, lowest = __int_as_float(0x7f800000);
        for (int i = threadIdx.x; i < vocab; i += blockDim.x)
        {
            float x = row[i];
            m = fmaxf(m, x);
            if (x != neg_inf) lowest = fminf(lowest, x);
        }
        m = block_max(m, scratch);
        lowest = -block_max(-lowest, scratch);
        if (m == neg_inf) continue;
        float total = 0.0f;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) total += expf(row[i] - m);
        total = block_sum(total, scratch);
        float need = p * total;
        // Invariant: mass(x >= key_float(lo)) >= need; mass(x >= key_float(hi + 1)) < need or hi is the max.
        int lo = order_key(lowest), hi = order_key(m);
        while (lo < hi)
        {
            int mid = lo + (int)(((unsigned)(hi - lo) + 1u) >> 1);
            float t = key_float(mid);
            float mass = 0.0f;
            for (int i = threadIdx.x; i < vocab; i += blockDim.x)
                if (row[i] >= t) mass += expf(row[i] - m);
            mass = block_sum(mass, scratch);
            if (mass >= need) lo = mid;
            else hi = mid - 1;
        }
        float cut = key_float(lo);
        __syncthreads();
        for (int i = threadIdx.x; i < vocab; i += blockDim.x)
            if (row[i] < cut) row[i] = neg_inf;
    }
}
