// A stand-in libcublas.so.12 for the host emulation (see fakecuda.cpp): the handful of entry points Grid.Cuda binds,
// GEMMs as plain loops with F32 accumulation, column-major as cuBLAS defines them, so the backend's row-major
// "TN" trick is exercised exactly as on a GPU. Device pointers are host pointers in this emulation.
#include <cstring>

namespace
{
enum { R32F = 0, R16F = 2, R16BF = 14 };

float load(const void* base, int type, long long i)
{
    if (type == R32F) return ((const float*)base)[i];
    unsigned short h = ((const unsigned short*)base)[i];
    unsigned int bits;
    if (type == R16BF) bits = (unsigned int)h << 16;
    else
    {
        // F16 -> F32 (finite values; the backend feeds F16 only through conversions)
        unsigned int sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
        if (exp == 0)
        {
            float f = man * (1.0f / 16777216.0f);
            return sign ? -f : f;
        }
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

void store(void* base, int type, long long i, float v)
{
    if (type == R32F)
    {
        ((float*)base)[i] = v;
        return;
    }
    unsigned int bits;
    memcpy(&bits, &v, 4);
    ((unsigned short*)base)[i] = (unsigned short)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

int gemm(int ta, int tb, int m, int n, int k, const float* alpha, const void* a, int at, int lda, const void* b, int bt, int ldb,
         const float* beta, void* c, int ct, int ldc)
{
    if (m < 0 || n < 0 || k < 0 || (at != R32F && at != R16F && at != R16BF) || bt != at || (ct != R32F && ct != at)) return 7; // CUBLAS_STATUS_INVALID_VALUE
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
        {
            float sum = 0.0f;
            for (int l = 0; l < k; l++)
            {
                float x = load(a, at, ta ? (long long)i * lda + l : (long long)l * lda + i);
                float y = load(b, bt, tb ? (long long)l * ldb + j : (long long)j * ldb + l);
                sum += x * y;
            }
            long long ci = (long long)j * ldc + i;
            float prior = *beta == 0.0f ? 0.0f : *beta * load(c, ct, ci);
            store(c, ct, ci, *alpha * sum + prior);
        }
    return 0;
}
}

extern "C" {
int cublasCreate_v2(void** handle) { *handle = (void*)1; return 0; }
int cublasDestroy_v2(void*) { return 0; }
int cublasSetStream_v2(void*, void*) { return 0; }
int cublasSetMathMode(void*, int) { return 0; }
int cublasGemmEx(void*, int ta, int tb, int m, int n, int k, const void* alpha, unsigned long long a, int at, int lda, unsigned long long b, int bt,
                 int ldb, const void* beta, unsigned long long c, int ct, int ldc, int, int)
{
    return gemm(ta, tb, m, n, k, (const float*)alpha, (const void*)a, at, lda, (const void*)b, bt, ldb, (const float*)beta, (void*)c, ct, ldc);
}
int cublasGemmStridedBatchedEx(void*, int ta, int tb, int m, int n, int k, const void* alpha, unsigned long long a, int at, int lda, long long sa,
                               unsigned long long b, int bt, int ldb, long long sb, const void* beta, unsigned long long c, int ct, int ldc,
                               long long sc, int batch, int, int)
{
    int size = at == R32F ? 4 : 2, csize = ct == R32F ? 4 : 2;
    for (int i = 0; i < batch; i++)
    {
        int status = gemm(ta, tb, m, n, k, (const float*)alpha, (const char*)a + i * sa * size, at, lda, (const char*)b + i * sb * size, bt, ldb,
                          (const float*)beta, (char*)c + i * sc * csize, ct, ldc);
        if (status != 0) return status;
    }
    return 0;
}
}
