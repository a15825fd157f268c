// Token embedding lookup: BF16 table rows to the F32 residual stream. Self-contained for NVRTC (no headers).
typedef unsigned short bf16;

__device__ __forceinline__ float bf16_to_float(unsigned int b) { return __uint_as_float((b & 0xffffu) << 16); }

// grid n_tokens (any size: blocks stride over tokens), block 256 (any size).
// x[t][i] = table[tokens[t]][i]; token ids are trusted to be inside the table.
extern "C" __global__ void embedding_gather(const bf16* __restrict__ table, const int* __restrict__ tokens,
                                            float* __restrict__ x, int n_tokens, int dim)
{
    for (int t = blockIdx.x; t < n_tokens; t += gridDim.x)
    {
        const bf16* row = table + (long long)tokens[t] * dim;
        float* out = x + (long long)t * dim;
        if ((dim & 1) == 0)
        {
            // Rows start 4-byte aligned in the table and 8-byte aligned in x: read bf16 pairs, write float2.
            const unsigned int* row2 = (const unsigned int*)row;
            float2* out2 = (float2*)out;
            for (int i = threadIdx.x; i < dim / 2; i += blockDim.x)
            {
                unsigned int w = row2[i];
                float2 v;
                v.x = bf16_to_float(w);
                v.y = bf16_to_float(w >> 16);
                out2[i] = v;
            }
        }
        else
        {
            for (int i = threadIdx.x; i < dim; i += blockDim.x) out[i] = bf16_to_float(row[i]);
        }
    }
}
