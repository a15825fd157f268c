// Rotary position embedding, in place on the stacked qkv rows. Self-contained for NVRTC (no headers).

#define ROTARY_MAX_PAIRS 256

// grid n_tokens (any size: blocks stride over tokens), block 128 (any size).
// Token t's q heads start at q + t*stride, its k heads at k + t*stride (both pointers into the stacked qkv).
// Pair j (0 <= j < rotary_dim/2) turns by positions[t] * theta^(-2j/rotary_dim); neox = 0 rotates dims
// (2j, 2j+1), neox = 1 dims (j, j + rotary_dim/2); dims past rotary_dim are untouched. The angle, its cosine
// and sine are computed in double and rounded to float, as Grid.Engine's Rotary does.
extern "C" __global__ void rotary(float* __restrict__ q, float* __restrict__ k, int stride, const int* __restrict__ positions,
                                  int n_tokens, int n_heads, int n_kv_heads, int head_dim, int rotary_dim, float theta,
                                  int neox)
{
    __shared__ float cos_s[ROTARY_MAX_PAIRS];
    __shared__ float sin_s[ROTARY_MAX_PAIRS];
    int pairs = rotary_dim / 2;
    bool cached = pairs <= ROTARY_MAX_PAIRS;
    int total = (n_heads + n_kv_heads) * pairs;
    for (int t = blockIdx.x; t < n_tokens; t += gridDim.x)
    {
        double pos = (double)positions[t];
        if (cached)
        {
            __syncthreads(); // the previous token's readers are done with the table
            for (int j = threadIdx.x; j < pairs; j += blockDim.x)
            {
                double s, c;
                sincos(pos * pow((double)theta, -2.0 * j / rotary_dim), &s, &c);
                cos_s[j] = (float)c;
                sin_s[j] = (float)s;
            }
            __syncthreads();
        }
        float* qt = q + (long long)t * stride;
        float* kt = k + (long long)t * stride;
        for (int i = threadIdx.x; i < total; i += blockDim.x)
        {
            int h = i / pairs;
            int j = i - h * pairs;
            float c, s;
            if (cached)
            {
                c = cos_s[j];
                s = sin_s[j];
            }
            else
            {
                double sd, cd;
                sincos(pos * pow((double)theta, -2.0 * j / rotary_dim), &sd, &cd);
                c = (float)cd;
                s = (float)sd;
            }
            float* v = h < n_heads ? qt + h * head_dim : kt + (h - n_heads) * head_dim;
            int a = neox ? j : 2 * j;
            int b = neox ? j + pairs : 2 * j + 1;
            float x0 = v[a];
            float x1 = v[b];
            // Explicit roundings, no FMA contraction: bit-identical to the CPU's Rotary.Apply for the same cos/sin.
            v[a] = __fsub_rn(__fmul_rn(x0, c), __fmul_rn(x1, s));
            v[b] = __fadd_rn(__fmul_rn(x0, s), __fmul_rn(x1, c));
        }
    }
}
