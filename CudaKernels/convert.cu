// Element-wise precision conversions (CudaKernels/README.md): weights and activations between F32, BF16 and F16.
// Launch: grid ceil(n/256), block 256, one element per thread.
#include "bf16.cuh"

extern "C" __global__ void f32_to_bf16(const float* in, bf16* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = float_to_bf16(in[i]);
}

extern "C" __global__ void bf16_to_f32(const bf16* in, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = bf16_to_float(in[i]);
}

// F16 -> F32 is exact, so rounding once to BF16 afterwards is the correctly rounded F16 -> BF16.
extern "C" __global__ void f16_to_bf16(const unsigned short* in, bf16* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = float_to_bf16(half_to_float(in[i]));
}
