// A stand-in libcuda.so.1 for running bench/Grid.Cuda.Bench's checks (and so the CUDA backend) without a GPU: device memory is host
// memory, cuModuleLoadData reads the entry names out of the real CUBIN (NVRTC still compiles every file), and
// cuLaunchKernel runs the kernel's C++ build (the same .cu sources, compiled into this library with emu.h) block
// by block. Each launch also checks the argument block's layout against the kernel's parameter sizes (the
// offsets KernelArguments gives values of those sizes), so a long passed for an int, or a missing argument
// before the last, fails the launch with CUDA_ERROR_INVALID_VALUE instead of reading garbage.
#include <map>
#include <string>

#include "kernels.h"

typedef unsigned short bf16;
template <class T> static T P(void* p) { T v; memcpy(&v, p, sizeof(T)); return v; }

struct Kernel
{
    std::vector<int> sizes; // parameter sizes in bytes, in order
    void (*call)(void** a);
};

#define PTR 8
#define I32 4
#define F32 4
#define I64 8

// attention_decode_partial_gN: one entry per group-size kernel, all with the same parameters.
#define GRID_DECODE_ENTRY(N)                                                                                                              \
    {"attention_decode_partial_g" #N, {{PTR, I32, PTR, PTR, PTR, I32, PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32, I32, I32, F32}, [](void** a) { \
         k_attention::attention_decode_partial_g##N(P<const float*>(a[0]), P<int>(a[1]), P<const bf16*>(a[2]), P<const bf16*>(a[3]),     \
                                                    P<const int*>(a[4]), P<int>(a[5]), P<const int*>(a[6]), P<const int*>(a[7]),          \
                                                    P<float*>(a[8]), P<float*>(a[9]), P<float*>(a[10]), P<int>(a[11]), P<int>(a[12]),     \
                                                    P<int>(a[13]), P<int>(a[14]), P<int>(a[15]), P<int>(a[16]), P<int>(a[17]),            \
                                                    P<float>(a[18])); }}},

static const std::map<std::string, Kernel>& kernels()
{
    static const std::map<std::string, Kernel> table = {
        {"embedding_gather", {{PTR, PTR, PTR, I32, I32}, [](void** a) { k_embedding::embedding_gather(P<const bf16*>(a[0]), P<const int*>(a[1]), P<float*>(a[2]), P<int>(a[3]), P<int>(a[4])); }}},
        {"rmsnorm_to_bf16", {{PTR, PTR, PTR, PTR, I32, I32, F32}, [](void** a) { k_rmsnorm::rmsnorm_to_bf16(P<const float*>(a[0]), P<const float*>(a[1]), P<bf16*>(a[2]), P<const int*>(a[3]), P<int>(a[4]), P<int>(a[5]), P<float>(a[6])); }}},
        {"add_bias", {{PTR, PTR, I32, I32}, [](void** a) { k_elementwise::add_bias(P<float*>(a[0]), P<const float*>(a[1]), P<int>(a[2]), P<int>(a[3])); }}},
        {"residual_add", {{PTR, PTR, I32}, [](void** a) { k_elementwise::residual_add(P<float*>(a[0]), P<const float*>(a[1]), P<int>(a[2])); }}},
        {"swiglu_to_bf16", {{PTR, PTR, I32, I32}, [](void** a) { k_activation::swiglu_to_bf16(P<const float*>(a[0]), P<bf16*>(a[1]), P<int>(a[2]), P<int>(a[3])); }}},
        {"rotary", {{PTR, PTR, I32, PTR, I32, I32, I32, I32, I32, F32, I32}, [](void** a) {
             k_rotary::rotary(P<float*>(a[0]), P<float*>(a[1]), P<int>(a[2]), P<const int*>(a[3]), P<int>(a[4]), P<int>(a[5]), P<int>(a[6]), P<int>(a[7]),
                              P<int>(a[8]), P<float>(a[9]), P<int>(a[10])); }}},
        {"kv_write", {{PTR, PTR, I32, PTR, PTR, PTR, I32, I32, I32, I32}, [](void** a) {
             k_kv::kv_write(P<const float*>(a[0]), P<const float*>(a[1]), P<int>(a[2]), P<bf16*>(a[3]), P<bf16*>(a[4]), P<const int*>(a[5]), P<int>(a[6]),
                            P<int>(a[7]), P<int>(a[8]), P<int>(a[9])); }}},
        {"kv_block_copy", {{PTR, PTR, PTR, PTR, I32, I32}, [](void** a) {
             k_kv::kv_block_copy(P<const bf16*>(a[0]), P<bf16*>(a[1]), P<const int*>(a[2]), P<const int*>(a[3]), P<int>(a[4]), P<int>(a[5])); }}},
        {"f32_to_bf16", {{PTR, PTR, I32}, [](void** a) { k_convert::f32_to_bf16(P<const float*>(a[0]), P<bf16*>(a[1]), P<int>(a[2])); }}},
        {"bf16_to_f32", {{PTR, PTR, I32}, [](void** a) { k_convert::bf16_to_f32(P<const bf16*>(a[0]), P<float*>(a[1]), P<int>(a[2])); }}},
        {"f16_to_bf16", {{PTR, PTR, I32}, [](void** a) { k_convert::f16_to_bf16(P<const unsigned short*>(a[0]), P<bf16*>(a[1]), P<int>(a[2])); }}},
        {"dequant_q8_0_to_bf16", {{PTR, PTR, I32}, [](void** a) { k_quant::dequant_q8_0_to_bf16(P<const unsigned char*>(a[0]), P<bf16*>(a[1]), P<int>(a[2])); }}},
        {"logits_temperature", {{PTR, PTR, I32, I32}, [](void** a) { k_logits::logits_temperature(P<float*>(a[0]), P<const float*>(a[1]), P<int>(a[2]), P<int>(a[3])); }}},
        {"softmax_rows", {{PTR, I32, I32}, [](void** a) { k_logits::softmax_rows(P<float*>(a[0]), P<int>(a[1]), P<int>(a[2])); }}},
        {"top_p_mask", {{PTR, PTR, I32, I32}, [](void** a) { k_logits::top_p_mask(P<float*>(a[0]), P<const float*>(a[1]), P<int>(a[2]), P<int>(a[3])); }}},
        {"apply_penalties", {{PTR, PTR, PTR, PTR, I32, I32, PTR, PTR, PTR}, [](void** a) {
             k_logits::apply_penalties(P<float*>(a[0]), P<const int*>(a[1]), P<const int*>(a[2]), P<const int*>(a[3]), P<int>(a[4]), P<int>(a[5]),
                                       P<const float*>(a[6]), P<const float*>(a[7]), P<const float*>(a[8])); }}},
        {"argmax_rows", {{PTR, PTR, PTR, I32, I32}, [](void** a) { k_sampling::argmax_rows(P<const float*>(a[0]), P<int*>(a[1]), P<float*>(a[2]), P<int>(a[3]), P<int>(a[4])); }}},
        {"topk_rows", {{PTR, PTR, PTR, I32, I32, I32}, [](void** a) {
             k_sampling::topk_rows(P<const float*>(a[0]), P<int*>(a[1]), P<float*>(a[2]), P<int>(a[3]), P<int>(a[4]), P<int>(a[5])); }}},
        {"attention_prefill", {{PTR, I32, PTR, PTR, PTR, I32, PTR, PTR, PTR, I32, I32, I32, I32, I32, F32}, [](void** a) {
             k_attention::attention_prefill(P<const float*>(a[0]), P<int>(a[1]), P<const bf16*>(a[2]), P<const bf16*>(a[3]), P<const int*>(a[4]), P<int>(a[5]),
                                            P<const int*>(a[6]), P<const int*>(a[7]), P<bf16*>(a[8]), P<int>(a[9]), P<int>(a[10]), P<int>(a[11]),
                                            P<int>(a[12]), P<int>(a[13]), P<float>(a[14])); }}},
        GRID_DECODE_ENTRY(1) GRID_DECODE_ENTRY(2) GRID_DECODE_ENTRY(4) GRID_DECODE_ENTRY(8)
        {"attention_decode_merge", {{PTR, PTR, PTR, PTR, PTR, I32, I32, I32, I32, I32}, [](void** a) {
             k_attention::attention_decode_merge(P<const float*>(a[0]), P<const float*>(a[1]), P<const float*>(a[2]), P<const int*>(a[3]), P<bf16*>(a[4]),
                                                 P<int>(a[5]), P<int>(a[6]), P<int>(a[7]), P<int>(a[8]), P<int>(a[9])); }}},
        {"fill_random_bf16", {{PTR, I64, I64, F32}, [](void** a) {
             k_random::fill_random_bf16(P<unsigned short*>(a[0]), P<long long>(a[1]), P<unsigned long long>(a[2]), P<float>(a[3])); }}},
        {"fill_f32", {{PTR, I64, F32}, [](void** a) { k_random::fill_f32(P<float*>(a[0]), P<long long>(a[1]), P<float>(a[2])); }}},
    };
    return table;
}

struct Module { std::vector<std::string> names; };
struct Function { std::string name; const Kernel* kernel; };

static std::map<void*, size_t> allocations;
static long long launches = 0;
// FAKECUDA_STICKY=<kernel>: launching that kernel "faults" (CUDA_ERROR_LAUNCH_FAILED), and every later call
// fails the same way until the primary context is released, as a real sticky error does.
static int sticky = 0;
#define STICKY do { if (sticky) return sticky; } while (0)

static bool layout_ok(void** a, const std::vector<int>& sizes, const std::string& name)
{
    size_t offset = 0;
    for (size_t i = 0; i < sizes.size(); i++)
    {
        size_t align = std::min(sizes[i] & -sizes[i], 16);
        if (i > 0) offset = (offset + sizes[i - 1] + align - 1) & ~(align - 1);
        if ((size_t)((char*)a[i] - (char*)a[0]) != offset)
        {
            fprintf(stderr, "fakecuda: %s argument %zu is at offset %td, want %zu for parameter sizes as declared\n", name.c_str(), i,
                    (char*)a[i] - (char*)a[0], offset);
            return false;
        }
    }
    return true;
}

extern "C" {
int cuInit(unsigned) { return 0; }
int cuDriverGetVersion(int* v) { *v = 12040; return 0; }
int cuGetErrorName(int e, const char** s)
{
    *s = e == 0 ? "CUDA_SUCCESS" : e == 1 ? "CUDA_ERROR_INVALID_VALUE" : e == 500 ? "CUDA_ERROR_NOT_FOUND" : e == 200 ? "CUDA_ERROR_INVALID_IMAGE" : e == 719 ? "CUDA_ERROR_LAUNCH_FAILED" : "CUDA_ERROR_UNKNOWN";
    return 0;
}
int cuGetErrorString(int e, const char** s) { return cuGetErrorName(e, s); }
int cuDeviceGet(int* d, int ordinal) { *d = ordinal; return ordinal == 0 ? 0 : 101; }
int cuDeviceGetCount(int* c) { *c = 1; return 0; }
int cuDeviceGetName(char* name, int length, int) { snprintf(name, length, "Host emulation (fakecuda)"); return 0; }
int cuDeviceGetAttribute(int* value, int attribute, int)
{
    switch (attribute)
    {
        case 75: *value = 9; break;  // compute capability 9.0: NVRTC compiles real sm_90 CUBINs
        case 76: *value = 0; break;
        case 16: *value = 1; break;
        case 1: *value = 1024; break;
        case 10: *value = 32; break;
        default: *value = 0; break;
    }
    return 0;
}
int cuDeviceTotalMem_v2(size_t* bytes, int) { *bytes = (size_t)16 << 30; return 0; }
int cuDevicePrimaryCtxRetain(void** ctx, int) { *ctx = (void*)1; return 0; }
int cuDevicePrimaryCtxRelease_v2(int) { sticky = 0; return 0; }
int cuCtxSetCurrent(void*) { return 0; }
int cuCtxSynchronize() { STICKY; return 0; }
int cuMemGetInfo_v2(size_t* free_, size_t* total) { *free_ = (size_t)8 << 30; *total = (size_t)16 << 30; return 0; }

int cuMemAlloc_v2(unsigned long long* pointer, size_t bytes)
{ STICKY;
    void* p = aligned_alloc(256, (bytes + 255) & ~(size_t)255);
    if (!p) return 2;
    memset(p, 0xA5, bytes); // garbage, as fresh device memory is
    allocations[p] = bytes;
    *pointer = (unsigned long long)p;
    return 0;
}
int cuMemFree_v2(unsigned long long pointer)
{ STICKY;
    auto it = allocations.find((void*)pointer);
    if (it == allocations.end()) return 1;
    free(it->first);
    allocations.erase(it);
    return 0;
}
static bool inside(unsigned long long p, size_t bytes)
{
    auto it = allocations.upper_bound((void*)p);
    if (it == allocations.begin()) return false;
    --it;
    return p >= (unsigned long long)it->first && p + bytes <= (unsigned long long)it->first + it->second;
}
int cuMemcpyHtoD_v2(unsigned long long d, const void* s, size_t n) { STICKY; if (!inside(d, n)) return 1; memcpy((void*)d, s, n); return 0; }
int cuMemcpyDtoH_v2(void* d, unsigned long long s, size_t n) { STICKY; if (!inside(s, n)) return 1; memcpy(d, (void*)s, n); return 0; }
int cuMemcpyDtoD_v2(unsigned long long d, unsigned long long s, size_t n) { if (!inside(d, n) || !inside(s, n)) return 1; memmove((void*)d, (void*)s, n); return 0; }
int cuMemsetD8_v2(unsigned long long d, unsigned char v, size_t n) { if (!inside(d, n)) return 1; memset((void*)d, v, n); return 0; }
int cuMemHostAlloc(void** p, size_t n, unsigned) { *p = malloc(n ? n : 1); return 0; }
int cuMemFreeHost(void* p) { free(p); return 0; }

int cuModuleLoadData(void** module, const void* image)
{ STICKY;
    const unsigned char* elf = (const unsigned char*)image;
    if (memcmp(elf, "\177ELF", 4) != 0 || elf[4] != 2) return 200;
    auto u16 = [&](size_t o) { unsigned short v; memcpy(&v, elf + o, 2); return v; };
    auto u32 = [&](size_t o) { unsigned v; memcpy(&v, elf + o, 4); return v; };
    auto u64 = [&](size_t o) { unsigned long long v; memcpy(&v, elf + o, 8); return v; };
    size_t sections = u64(0x28);
    int entry = u16(0x3A), count = u16(0x3C);
    auto m = new Module();
    for (int i = 0; i < count; i++)
    {
        size_t h = sections + (size_t)i * entry;
        if (u32(h + 4) != 2) continue; // SHT_SYMTAB
        size_t symbols = u64(h + 0x18), size = u64(h + 0x20), symbolSize = u64(h + 0x38);
        size_t sh = sections + (size_t)u32(h + 0x28) * entry;
        size_t strings = u64(sh + 0x18);
        for (size_t s = 0; s + symbolSize <= size; s += symbolSize)
        {
            const unsigned char* sym = elf + symbols + s;
            if ((sym[4] & 0xF) != 2 || (sym[5] & 0x10) == 0) continue;
            unsigned nameOffset;
            memcpy(&nameOffset, sym, 4);
            m->names.push_back((const char*)(elf + strings + nameOffset));
        }
    }
    *module = m;
    return 0;
}
int cuModuleUnload(void* module) { STICKY; delete (Module*)module; return 0; }
int cuModuleGetFunction(void** function, void* module, const char* name)
{
    auto m = (Module*)module;
    bool listed = false;
    for (auto& n : m->names) listed |= n == name;
    auto it = kernels().find(name);
    if (!listed || it == kernels().end())
    {
        fprintf(stderr, "fakecuda: no kernel '%s'%s\n", name, listed ? " emulated" : " in that module");
        return 500;
    }
    *function = new Function{name, &it->second};
    return 0;
}
// The emulation has no occupancy: report what an H100 gives the 4-query-head decode kernel, so callers' arithmetic runs.
int cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, void* function, int block_size, size_t)
{
    STICKY;
    if (function == nullptr || block_size <= 0 || block_size > 1024) return 1;
    *blocks = 4;
    return 0;
}
int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared,
                   void* stream, void** params, void** extra)
{
    STICKY;
    auto f = (Function*)function;
    if (const char* fault = getenv("FAKECUDA_STICKY"); fault && f->name == fault)
    {
        sticky = 719;
        return 0;
    }
    if (extra != nullptr || shared != 0 || bx * by * bz > 1024 || bx * by * bz == 0 || gx == 0 || gy == 0 || gz == 0) return 1;
    if (!layout_ok(params, f->kernel->sizes, f->name)) return 1;
    (void)stream;
    launches++;
    emu::launch(dim3(gx, gy, gz), dim3(bx, by, bz), [&] { f->kernel->call(params); });
    return 0;
}
// Streams and events: everything runs at once, in call order, so every stream is always synchronised and an
// event has always happened. The backend's cross-stream waits (nano-batches) are then trivially met.
int cuStreamCreate(void** s, unsigned) { *s = (void*)2; return 0; }
int cuStreamDestroy_v2(void*) { return 0; }
int cuStreamSynchronize(void*) { STICKY; return 0; }
int cuStreamWaitEvent(void*, void*, unsigned) { STICKY; return 0; }
int cuEventCreate(void** e, unsigned) { *e = (void*)3; return 0; }
int cuEventDestroy_v2(void*) { return 0; }
int cuEventRecord(void*, void*) { STICKY; return 0; }
int cuEventSynchronize(void*) { STICKY; return 0; }
int cuEventElapsedTime(float* ms, void*, void*) { *ms = 0.0f; return 0; }
int cuMemcpyHtoDAsync_v2(unsigned long long d, const void* s, size_t n, void*) { return cuMemcpyHtoD_v2(d, s, n); }
int cuMemcpyDtoHAsync_v2(void* d, unsigned long long s, size_t n, void*) { return cuMemcpyDtoH_v2(d, s, n); }
int cuMemcpyDtoDAsync_v2(unsigned long long d, unsigned long long s, size_t n, void*) { return cuMemcpyDtoD_v2(d, s, n); }
int cuMemsetD8Async(unsigned long long d, unsigned char v, size_t n, void*) { return cuMemsetD8_v2(d, v, n); }
}
