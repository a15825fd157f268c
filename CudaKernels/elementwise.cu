// Element-wise F32 additions on the residual stream and GEMM outputs. Self-contained for NVRTC (no headers).

// grid ceil(rows*cols/256), block 256 (any grid: threads stride). y[r][c] += bias[c].
extern "C" __global__ void add_bias(float* __restrict__ y, const float* __restrict__ bias, int rows, int cols)
{
    long long n = (long long)rows * cols;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        y[i] += bias[i % cols];
}

// grid ceil(n/256), block 256 (any grid: threads stride). x[i] += y[i].
extern "C" __global__ void residual_add(float* __restrict__ x, const float* __restrict__ y, int n)
{
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        x[i] += y[i];
}
