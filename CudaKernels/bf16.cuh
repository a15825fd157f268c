// BF16 and F16 scalars without CUDA's headers (NVRTC here has none): both are unsigned short holding the bits.
// Included by kernel files as #include "bf16.cuh"; KernelCompiler hands every CudaKernels/*.cuh to NVRTC.
#pragma once

typedef unsigned short bf16;

// Exact: a bfloat16 is the top half of a float.
__device__ __forceinline__ float bf16_to_float(bf16 b) { return __uint_as_float((unsigned)b << 16); }

// Round to nearest even, NaN kept a quiet NaN: bit for bit what Grid.Engine's Quantize.ToBFloat does on the CPU.
__device__ __forceinline__ bf16 float_to_bf16(float x) {
    unsigned u = __float_as_uint(x);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (bf16)((u >> 16) | 64u);
    return (bf16)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

// Exact (every F16 is a float), subnormals, infinities and NaN included; one instruction.
__device__ __forceinline__ float half_to_float(unsigned short h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
