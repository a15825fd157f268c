// Device-made weights for benchmarks: an 8B-parameter model is 16 GB of BF16, too much to make on the
// host and upload within a device session. Values are uniform in [-scale, scale), a pure function of
// (seed, index) through SplitMix64, so a run is reproducible and independent of the launch shape.

extern "C" __global__ void fill_random_bf16(unsigned short* out, long long n, unsigned long long seed, float scale)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        unsigned long long z = seed + (unsigned long long)i * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        float u = (float)(z >> 40) * (1.0f / 16777216.0f);
        float v = (u * 2.0f - 1.0f) * scale;
        unsigned int bits = __float_as_uint(v);
        out[i] = (unsigned short)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }
}

extern "C" __global__ void fill_f32(float* out, long long n, float value)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = value;
}
