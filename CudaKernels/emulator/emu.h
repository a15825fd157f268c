// Host emulation of the CUDA subset the Grid kernels (CudaKernels/*.cu) use (fibers switched by hand, x86-64): one fiber per thread, blocks run one at a
// time, __syncthreads and warp operations are real barriers (a deadlock or a warp op with exited lanes aborts).
#pragma once
#define GRID_EMU 1
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))

struct uint3e { unsigned x, y, z; };
struct dim3 { unsigned x, y, z; dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {} };
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) float2 { float x, y; };

inline uint3e threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline unsigned atomicAdd(unsigned* p, unsigned v) { unsigned o = *p; *p += v; return o; }
[[noreturn]] inline void __trap() { fprintf(stderr, "__trap()\n"); abort(); }


extern "C" void emu_switch(void** save_sp, void* load_sp);
asm(R"(
.text
.globl emu_switch
.type emu_switch,@function
emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
)");

namespace emu {
enum State { RUN, BAR, WBAR, DONE };
// A cp.async copy issued but not yet done: it lands only at a cp.async.wait_group that covers its group (the latest
// moment the hardware allows), so a kernel that reads its destination too early sees the old bytes.
struct Copy { void* dst; const void* src; long long group; };
struct Fiber { void* sp; State state; uint3e tid; int linear; std::vector<Copy> copies; long long committed; };
inline std::vector<Fiber> fibers;
inline std::vector<char*> stacks;
inline const size_t stack_size = 256 * 1024;
inline int cur;
inline void* sched_sp;
inline std::function<void()> body;
inline uint64_t xbuf[32][32];
struct Frag { unsigned a[4], b[2]; };
inline Frag fbuf[32][32];
inline long long barriers = 0;

// Completes this fiber's copies of the committed groups but the `keep` most recent.
inline void land_copies(Fiber& f, long long keep)
{
    size_t w = 0;
    for (size_t i = 0; i < f.copies.size(); i++)
    {
        Copy& c = f.copies[i];
        if (c.group < f.committed - keep) memcpy(c.dst, c.src, 16);
        else f.copies[w++] = c;
    }
    f.copies.resize(w);
}

inline void yield_as(State s) { fibers[cur].state = s; emu_switch(&fibers[cur].sp, sched_sp); }
inline int lane() { return fibers[cur].linear & 31; }
inline int warp() { return fibers[cur].linear >> 5; }
[[noreturn]] inline void entry()
{
    body();
    if (!fibers[cur].copies.empty()) { fprintf(stderr, "thread %d exits with cp.async copies never waited for\n", fibers[cur].linear); abort(); }
    fibers[cur].state = DONE;
    emu_switch(&fibers[cur].sp, sched_sp);
    abort();
}

inline void run_block(unsigned n)
{
    fibers.resize(n);
    while (stacks.size() < n) stacks.push_back(new char[stack_size]);
    for (unsigned i = 0; i < n; i++)
    {
        Fiber& f = fibers[i];
        // Initial frame for emu_switch: six callee-saved registers, then the entry point for its ret; at entry
        // rsp is 8 mod 16, as after a call.
        uintptr_t top = ((uintptr_t)(stacks[i] + stack_size)) & ~(uintptr_t)15;
        void** sp = (void**)top;
        *--sp = nullptr;            // entry's (never used) return address
        *--sp = (void*)&entry;      // popped by ret
        for (int r = 0; r < 6; r++) *--sp = nullptr;
        f.sp = sp;
        f.state = RUN;
        f.linear = i;
        f.copies.clear();
        f.committed = 0;
        f.tid.x = i % blockDim.x;
        f.tid.y = (i / blockDim.x) % blockDim.y;
        f.tid.z = i / (blockDim.x * blockDim.y);
    }
    for (;;)
    {
        for (unsigned i = 0; i < n; i++)
            if (fibers[i].state == RUN)
            {
                cur = i;
                threadIdx = fibers[i].tid;
                emu_switch(&sched_sp, fibers[i].sp);
            }
        unsigned done = 0, bar = 0;
        for (auto& f : fibers) { done += f.state == DONE; bar += f.state == BAR; }
        if (done == n) return;
        bool released = false;
        for (unsigned w = 0; w * 32 < n; w++)
        {
            unsigned wb = 0, dn = 0, tot = 0;
            for (unsigned i = w * 32; i < n && i < w * 32 + 32; i++)
            {
                tot++;
                wb += fibers[i].state == WBAR;
                dn += fibers[i].state == DONE;
            }
            if (wb == 0) continue;
            if (wb + dn != tot) continue;
            if (dn) { fprintf(stderr, "warp %u: warp op with %u exited lanes\n", w, dn); abort(); }
            for (unsigned i = w * 32; i < n && i < w * 32 + 32; i++) fibers[i].state = RUN;
            released = true;
        }
        if (released) continue;
        if (bar + done == n)
        {
            barriers++;
            for (auto& f : fibers) if (f.state == BAR) f.state = RUN;
            continue;
        }
        fprintf(stderr, "deadlock: %u at __syncthreads, %u done, rest at warp ops\n", bar, done);
        abort();
    }
}

template <class F> void launch(dim3 g, dim3 b, F f)
{
    gridDim = g;
    blockDim = b;
    body = f;
    for (unsigned z = 0; z < g.z; z++)
        for (unsigned y = 0; y < g.y; y++)
            for (unsigned x = 0; x < g.x; x++)
            {
                blockIdx = {x, y, z};
                run_block(b.x * b.y * b.z);
            }
}
} // namespace emu

inline void __syncthreads() { emu::yield_as(emu::BAR); }

template <class T> inline T emu_exchange(T v, int src_of_lane)
{
    uint64_t b = 0;
    memcpy(&b, &v, sizeof(T));
    emu::xbuf[emu::warp()][emu::lane()] = b;
    emu::yield_as(emu::WBAR);
    uint64_t r = emu::xbuf[emu::warp()][src_of_lane & 31];
    emu::yield_as(emu::WBAR);
    T out;
    memcpy(&out, &r, sizeof(T));
    return out;
}
template <class T> inline T __shfl_xor_sync(unsigned mask, T v, int m) { if (mask != 0xffffffffu) __trap(); return emu_exchange(v, emu::lane() ^ m); }
template <class T> inline T __shfl_sync(unsigned mask, T v, int src) { if (mask != 0xffffffffu) __trap(); return emu_exchange(v, src); }

inline unsigned __ballot_sync(unsigned mask, int pred)
{
    if (mask != 0xffffffffu) __trap();
    int w = emu::warp();
    emu::xbuf[w][emu::lane()] = pred != 0;
    emu::yield_as(emu::WBAR);
    unsigned r = 0;
    for (int l = 0; l < 32; l++) r |= (unsigned)(emu::xbuf[w][l] & 1) << l;
    emu::yield_as(emu::WBAR);
    return r;
}

inline unsigned __match_any_sync(unsigned mask, unsigned v)
{
    if (mask != 0xffffffffu) __trap();
    int w = emu::warp();
    emu::xbuf[w][emu::lane()] = v;
    emu::yield_as(emu::WBAR);
    unsigned r = 0;
    for (int l = 0; l < 32; l++) r |= (unsigned)(emu::xbuf[w][l] == v) << l;
    emu::yield_as(emu::WBAR);
    return r;
}

// cp.async.cg.shared.global (16 bytes), cp.async.commit_group, cp.async.wait_group N: per thread, as in PTX; copies
// of the open (uncommitted) group are not covered by a wait.
inline void cp_async16(void* smem, const void* gmem)
{
    emu::Fiber& f = emu::fibers[emu::cur];
    f.copies.push_back({smem, gmem, f.committed});
}
inline void cp_async_commit() { emu::fibers[emu::cur].committed++; }
template <int N> inline void cp_async_wait() { emu::land_copies(emu::fibers[emu::cur], N); }

// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32, from the PTX ISA fragment layout.
inline void mma_16816(float* d, const unsigned* a, unsigned b0, unsigned b1)
{
    int w = emu::warp(), l = emu::lane();
    emu::Frag& f = emu::fbuf[w][l];
    for (int i = 0; i < 4; i++) f.a[i] = a[i];
    f.b[0] = b0;
    f.b[1] = b1;
    emu::yield_as(emu::WBAR);
    float A[16][16], B[16][8];
    auto lo = [](unsigned x) { return __uint_as_float(x << 16); };
    auto hi = [](unsigned x) { return __uint_as_float(x & 0xffff0000u); };
    for (int ln = 0; ln < 32; ln++)
    {
        const emu::Frag& q = emu::fbuf[w][ln];
        int g = ln >> 2, t = ln & 3;
        A[g][2 * t] = lo(q.a[0]);         A[g][2 * t + 1] = hi(q.a[0]);
        A[g + 8][2 * t] = lo(q.a[1]);     A[g + 8][2 * t + 1] = hi(q.a[1]);
        A[g][2 * t + 8] = lo(q.a[2]);     A[g][2 * t + 9] = hi(q.a[2]);
        A[g + 8][2 * t + 8] = lo(q.a[3]); A[g + 8][2 * t + 9] = hi(q.a[3]);
        B[2 * t][g] = lo(q.b[0]);         B[2 * t + 1][g] = hi(q.b[0]);
        B[2 * t + 8][g] = lo(q.b[1]);     B[2 * t + 9][g] = hi(q.b[1]);
    }
    int g = l >> 2, t = l & 3;
    for (int i = 0; i < 4; i++)
    {
        int row = i < 2 ? g : g + 8, col = 2 * t + (i & 1);
        float s = d[i];
        for (int k = 0; k < 16; k++) s += A[row][k] * B[k][col];
        d[i] = s;
    }
    emu::yield_as(emu::WBAR);
}
