// Every kernel in CudaKernels/*.cu, run through the host emulation in emu.h, against references written
// independently of the kernels (double arithmetic, explicit rounding). Build and run with run.sh.
#include "emu.h"
#include <algorithm>
#include <numeric>
#include <string>
#include "kernels.h"
using std::vector;
typedef unsigned short u16;

static uint64_t rng_state = 12345;
static uint64_t next64() { uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull); z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull; z = (z ^ (z >> 27)) * 0x94d049bb133111ebull; return z ^ (z >> 31); }
static float uni() { return (next64() >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f; } // [-1, 1)
static int irand(int n) { return (int)(next64() % (uint64_t)n); }

// References: written independently of the kernels' helpers.
static u16 ref_bf16(float f)
{
    if (std::isnan(f)) { unsigned u; memcpy(&u, &f, 4); return (u16)((u >> 16) | 0x40); }
    unsigned u; memcpy(&u, &f, 4);
    unsigned lower = u & 0xffff, upper = u >> 16;
    if (lower > 0x8000 || (lower == 0x8000 && (upper & 1))) upper++;
    return (u16)upper;
}
static float bf(u16 b) { unsigned u = (unsigned)b << 16; float f; memcpy(&f, &u, 4); return f; }
static double ref_f16(u16 h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 31) v = m ? NAN : INFINITY;
    else if (e == 0) v = ldexp((double)m, -24);
    else v = ldexp(1024.0 + m, e - 25);
    return s ? -v : v;
}

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; if (failures < 40) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } } while (0)

static unsigned blocks(long long n, int b) { return (unsigned)((n + b - 1) / b); }

static void test_embedding()
{
    for (int dim : {37, 64})
    {
        int vocab = 50, n = 7;
        vector<u16> table(vocab * dim);
        for (auto& t : table) t = ref_bf16(uni() * 3);
        vector<int> tokens(n);
        for (auto& t : tokens) t = irand(vocab);
        vector<float> x(n * dim, -99);
        emu::launch(dim3(n), dim3(256), [&] { k_embedding::embedding_gather(table.data(), tokens.data(), x.data(), n, dim); });
        for (int t = 0; t < n; t++)
            for (int i = 0; i < dim; i++) CHECK(x[t * dim + i] == bf(table[tokens[t] * dim + i]), "embedding dim %d", dim);
    }
    printf("embedding_gather ok\n");
}

static void test_rmsnorm()
{
    int dim = 300, nx = 6;
    vector<float> x(nx * dim), w(dim);
    for (auto& v : x) v = uni() * 4;
    for (auto& v : w) v = 1 + uni() * 0.5f;
    vector<int> rows = {5, 0, 3};
    for (int use_rows : {0, 1})
    {
        int n = use_rows ? 3 : nx;
        vector<u16> out(n * dim);
        emu::launch(dim3(n), dim3(256), [&] { k_rmsnorm::rmsnorm_to_bf16(x.data(), w.data(), out.data(), use_rows ? rows.data() : nullptr, n, dim, 1e-5f); });
        int maxulp = 0;
        for (int i = 0; i < n; i++)
        {
            int src = use_rows ? rows[i] : i;
            double ss = 0;
            for (int j = 0; j < dim; j++) ss += (double)x[src * dim + j] * x[src * dim + j];
            double scale = 1.0 / sqrt(ss / dim + 1e-5);
            for (int j = 0; j < dim; j++)
            {
                u16 r = ref_bf16((float)(x[src * dim + j] * scale * w[j]));
                int d = abs((int)r - (int)out[i * dim + j]);
                maxulp = std::max(maxulp, d);
            }
        }
        CHECK(maxulp <= 1, "rmsnorm max bf16 ulp %d", maxulp);
    }
    printf("rmsnorm_to_bf16 ok\n");
}

static void test_elementwise()
{
    int rows = 7, cols = 45;
    vector<float> y(rows * cols), b(cols), y0;
    for (auto& v : y) v = uni();
    for (auto& v : b) v = uni();
    y0 = y;
    emu::launch(dim3(blocks(rows * cols, 256)), dim3(256), [&] { k_elementwise::add_bias(y.data(), b.data(), rows, cols); });
    for (int i = 0; i < rows * cols; i++) CHECK(y[i] == y0[i] + b[i % cols], "add_bias");
    vector<float> x = y0;
    emu::launch(dim3(1), dim3(256), [&] { k_elementwise::residual_add(x.data(), b.data(), cols); }); // grid smaller than n/256? n=45
    int n = 1000;
    vector<float> a(n), c(n);
    for (auto& v : a) v = uni();
    for (auto& v : c) v = uni();
    vector<float> a0 = a;
    emu::launch(dim3(2), dim3(256), [&] { k_elementwise::residual_add(a.data(), c.data(), n); }); // striding grid
    for (int i = 0; i < n; i++) CHECK(a[i] == a0[i] + c[i], "residual_add");
    printf("add_bias, residual_add ok\n");
}

static void test_swiglu()
{
    int rows = 3, ff = 100;
    vector<float> gu(rows * 2 * ff);
    for (auto& v : gu) v = uni() * 8;
    gu[5] = -200; gu[6] = 200; gu[7] = 0;
    vector<u16> out(rows * ff);
    emu::launch(dim3(blocks(rows * ff, 256)), dim3(256), [&] { k_activation::swiglu_to_bf16(gu.data(), out.data(), rows, ff); });
    int maxulp = 0;
    for (int r = 0; r < rows; r++)
        for (int i = 0; i < ff; i++)
        {
            double g = gu[r * 2 * ff + i], u = gu[r * 2 * ff + ff + i];
            u16 ref = ref_bf16((float)(g / (1 + exp(-g)) * u));
            maxulp = std::max(maxulp, abs((int)ref - (int)out[r * ff + i]));
        }
    CHECK(maxulp <= 1, "swiglu ulp %d", maxulp);
    printf("swiglu_to_bf16 ok\n");
}

static void test_rotary()
{
    int nh = 4, nkv = 2, hd = 16, n = 5;
    int stride = (nh + 2 * nkv) * hd;
    for (int neox : {0, 1})
        for (int rd : {8, 16})
        {
            vector<float> qkv(n * stride);
            for (auto& v : qkv) v = uni();
            vector<float> ref = qkv;
            vector<int> pos = {0, 1, 17, 4095, 100000};
            float theta = 10000.0f;
            emu::launch(dim3(n), dim3(128), [&] { k_rotary::rotary(qkv.data(), qkv.data() + nh * hd, stride, pos.data(), n, nh, nkv, hd, rd, theta, neox); });
            double maxerr = 0;
            for (int t = 0; t < n; t++)
                for (int h = 0; h < nh + nkv; h++)
                {
                    float* v = ref.data() + t * stride + h * hd;
                    for (int j = 0; j < rd / 2; j++)
                    {
                        double ang = pos[t] * pow((double)theta, -2.0 * j / rd);
                        float c = (float)cos(ang), s = (float)sin(ang);
                        int a = neox ? j : 2 * j, b = neox ? j + rd / 2 : 2 * j + 1;
                        float x0 = v[a], x1 = v[b];
                        v[a] = x0 * c - x1 * s;
                        v[b] = x0 * s + x1 * c;
                    }
                }
            for (int i = 0; i < n * stride; i++) maxerr = std::max(maxerr, (double)fabs(ref[i] - qkv[i]));
            // v (after the k heads) must be untouched: covered since ref leaves it alone too
            CHECK(maxerr == 0, "rotary neox %d rd %d err %g", neox, rd, maxerr);
        }
    printf("rotary ok\n");
}

static void test_kv()
{
    int nh = 4, nkv = 2, hd = 8, bs = 4, nblocks = 6, n = 5;
    int stride = (nh + 2 * nkv) * hd;
    vector<float> qkv(n * stride);
    for (auto& v : qkv) v = uni() * 10;
    vector<u16> kp(nblocks * nkv * bs * hd, 0xdead), vp(nblocks * nkv * bs * hd, 0xdead);
    vector<int> slots = {3 * bs + 1, -1, 0, 5 * bs + 3, 2 * bs + 2};
    emu::launch(dim3(n), dim3(128), [&] { k_kv::kv_write(qkv.data() + nh * hd, qkv.data() + (nh + nkv) * hd, stride, kp.data(), vp.data(), slots.data(), n, nkv, hd, bs); });
    int written = 0;
    for (int t = 0; t < n; t++)
    {
        if (slots[t] < 0) continue;
        int blk = slots[t] / bs, off = slots[t] % bs;
        for (int h = 0; h < nkv; h++)
            for (int d = 0; d < hd; d++)
            {
                size_t at = ((size_t)(blk * nkv + h) * bs + off) * hd + d;
                CHECK(kp[at] == ref_bf16(qkv[t * stride + nh * hd + h * hd + d]), "kv_write k");
                CHECK(vp[at] == ref_bf16(qkv[t * stride + (nh + nkv) * hd + h * hd + d]), "kv_write v");
                written++;
            }
    }
    int untouched = 0;
    for (auto v : kp) untouched += v == 0xdead;
    CHECK(untouched == (int)kp.size() - written, "kv_write wrote elsewhere");
    // block copy: vector path (block_elems % 8 == 0) and scalar path
    for (int be : {64, 13})
    {
        vector<u16> src(8 * be), dst(8 * be, 0);
        for (auto& v : src) v = (u16)next64();
        vector<int> sb = {1, 7, 3}, db = {0, 2, 6};
        emu::launch(dim3(3), dim3(256), [&] { k_kv::kv_block_copy(src.data(), dst.data(), sb.data(), db.data(), 3, be); });
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < be; j++) CHECK(dst[db[i] * be + j] == src[sb[i] * be + j], "kv_block_copy %d", be);
        CHECK(dst[be * 1] == 0, "kv_block_copy touched an unlisted block");
    }
    printf("kv_write, kv_block_copy ok\n");
}

static void test_convert()
{
    // f32 -> bf16: specials, ties, random bits
    vector<float> in;
    for (float f : {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, 3.0e38f, 3.4028235e38f, 1e-40f, -1e-45f}) in.push_back(f);
    for (unsigned u : {0x3f808000u, 0x3f818000u, 0x3f807fffu, 0x7f7fffffu, 0x7f800001u, 0xff800001u, 0x7fc00000u, 0x00008000u, 0x00018000u})
    { float f; memcpy(&f, &u, 4); in.push_back(f); }
    for (int i = 0; i < 5000; i++) { unsigned u = (unsigned)next64(); float f; memcpy(&f, &u, 4); in.push_back(f); }
    int n = in.size();
    vector<u16> out(n);
    emu::launch(dim3(blocks(n, 256)), dim3(256), [&] { k_convert::f32_to_bf16(in.data(), out.data(), n); });
    for (int i = 0; i < n; i++)
    {
        if (std::isnan(in[i])) CHECK(std::isnan(bf(out[i])), "f32_to_bf16 NaN lost %d", i);
        CHECK(out[i] == ref_bf16(in[i]), "f32_to_bf16 %08x -> %04x want %04x", __float_as_uint(in[i]), out[i], ref_bf16(in[i]));
        // round to nearest: the neighbour is not closer
        if (std::isfinite(in[i]) && std::isfinite(bf(out[i])) && std::isfinite(bf(out[i] + 1)) && std::isfinite(bf(out[i] - 1))
            && (out[i] & 0x7fff) != 0 && (out[i] & 0x7fff) != 0x7fff)
        {
            double e = fabs((double)bf(out[i]) - in[i]);
            CHECK(e <= fabs((double)bf(out[i] + 1) - in[i]) && e <= fabs((double)bf(out[i] - 1) - in[i]), "not nearest");
        }
    }
    vector<float> back(n);
    emu::launch(dim3(blocks(n, 256)), dim3(256), [&] { k_convert::bf16_to_f32(out.data(), back.data(), n); });
    for (int i = 0; i < n; i++) CHECK(__float_as_uint(back[i]) == (unsigned)out[i] << 16, "bf16_to_f32");
    // f16 -> bf16: all 65536
    vector<u16> h(65536), hb(65536);
    for (int i = 0; i < 65536; i++) h[i] = i;
    emu::launch(dim3(256), dim3(256), [&] { k_convert::f16_to_bf16(h.data(), hb.data(), 65536); });
    for (int i = 0; i < 65536; i++)
    {
        double v = ref_f16(i);
        if (std::isnan(v)) { CHECK(std::isnan(bf(hb[i])), "f16 NaN %04x -> %04x", i, hb[i]); continue; }
        CHECK(hb[i] == ref_bf16((float)v), "f16_to_bf16 %04x -> %04x want %04x", i, hb[i], ref_bf16((float)v));
    }
    printf("f32_to_bf16, bf16_to_f32, f16_to_bf16 ok\n");
}

static u16 ref_f16_from(float x) // nearest-even F16 bits, for building test data
{
    _Float16 h = (_Float16)x;
    u16 u;
    memcpy(&u, &h, 2);
    return u;
}

static void test_quant()
{
    int nb = 21;
    vector<unsigned char> blk(nb * 34);
    vector<double> ref(nb * 32);
    for (int b = 0; b < nb; b++)
    {
        u16 d = ref_f16_from(b == 3 ? 0.0f : (b == 4 ? 3.0e-6f : uni() * 0.05f)); // includes zero and an F16 subnormal
        blk[b * 34] = d & 255;
        blk[b * 34 + 1] = d >> 8;
        for (int j = 0; j < 32; j++)
        {
            signed char q = (signed char)(irand(256) - 128);
            blk[b * 34 + 2 + j] = (unsigned char)q;
            ref[b * 32 + j] = ref_f16(d) * q;
        }
    }
    vector<u16> out(nb * 32);
    emu::launch(dim3(blocks(nb, 8)), dim3(256), [&] { k_quant::dequant_q8_0_to_bf16(blk.data(), out.data(), nb); });
    for (int i = 0; i < nb * 32; i++) CHECK(out[i] == ref_bf16((float)ref[i]), "q8_0 %d", i);
    printf("dequant_q8_0_to_bf16 ok\n");
}

static void test_logits()
{
    int rows = 3, vocab = 1000;
    vector<float> l(rows * vocab), l0;
    for (auto& v : l) v = uni() * 20;
    l0 = l;
    vector<float> inv = {1.0f, 2.5f, 0.1f};
    emu::launch(dim3(rows), dim3(256), [&] { k_logits::logits_temperature(l.data(), inv.data(), rows, vocab); });
    for (int i = 0; i < rows * vocab; i++) CHECK(l[i] == l0[i] * inv[i / vocab], "temperature");
    // softmax, with -inf entries and an all -inf row
    for (int i = 0; i < vocab; i++) l[2 * vocab + i] = -INFINITY;
    l[10] = -INFINITY;
    l0 = l;
    emu::launch(dim3(rows), dim3(256), [&] { k_logits::softmax_rows(l.data(), rows, vocab); });
    for (int r = 0; r < 2; r++)
    {
        double m = -INFINITY, s = 0;
        for (int i = 0; i < vocab; i++) m = std::max(m, (double)l0[r * vocab + i]);
        for (int i = 0; i < vocab; i++) s += exp(l0[r * vocab + i] - m);
        double maxrel = 0, sum = 0;
        for (int i = 0; i < vocab; i++)
        {
            double p = exp(l0[r * vocab + i] - m) / s;
            sum += l[r * vocab + i];
            if (p > 1e-30) maxrel = std::max(maxrel, fabs(l[r * vocab + i] - p) / p); // F32 normals only
            else if (p == 0) CHECK(l[r * vocab + i] == 0, "softmax -inf");
            else CHECK(fabs(l[r * vocab + i] - p) < 1e-30, "softmax tiny");
        }
        CHECK(maxrel < 1e-5 && fabs(sum - 1) < 1e-5, "softmax rel %g sum %g", maxrel, sum);
    }
    for (int i = 0; i < vocab; i++) CHECK(l[2 * vocab + i] == 0, "softmax all -inf row");
    // penalties
    vector<float> p(rows * vocab);
    for (auto& v : p) v = uni() * 5;
    vector<float> p0 = p;
    vector<int> ids = {3, 7, 999, 3, 5, -1, 1000}, counts = {0, 2, 1, 1, 0, 1, 1}, row_of = {0, 0, 0, 1, 1, 1, 1};
    vector<float> rep = {1.3f, 1.0f, 2.0f}, pres = {0.5f, 0.25f, 0}, freq = {0.1f, 0.2f, 0};
    int n = ids.size();
    emu::launch(dim3(1), dim3(256), [&] { k_logits::apply_penalties(p.data(), ids.data(), counts.data(), row_of.data(), n, vocab, rep.data(), pres.data(), freq.data()); });
    vector<float> ref = p0;
    for (int i = 0; i < n; i++)
    {
        if (ids[i] < 0 || ids[i] >= vocab) continue;
        int r = row_of[i];
        float& x = ref[r * vocab + ids[i]];
        if (rep[r] != 1.0f) x = x > 0 ? x / rep[r] : x * rep[r];
        if (counts[i] > 0) x -= counts[i] * freq[r] + pres[r];
    }
    for (int i = 0; i < rows * vocab; i++) CHECK(p[i] == ref[i], "penalties %d: %g vs %g", i, p[i], ref[i]);
    // null arrays: nothing changes but nothing crashes
    vector<float> q = p0;
    emu::launch(dim3(1), dim3(256), [&] { k_logits::apply_penalties(q.data(), ids.data(), counts.data(), row_of.data(), n, vocab, nullptr, nullptr, nullptr); });
    for (int i = 0; i < rows * vocab; i++) CHECK(q[i] == p0[i], "penalties null");
    // top-p: the kept set is the smallest prefix of the sorted probabilities whose mass reaches p.
    {
        int tr = 3, tv = 777;
        vector<float> t(tr * tv);
        for (auto& v : t) v = uni() * 8;
        t[5] = t[6]; // a tie
        vector<float> t0 = t, tp = {0.9f, 0.3f, 1.0f};
        emu::launch(dim3(tr), dim3(256), [&] { k_logits::top_p_mask(t.data(), tp.data(), tr, tv); });
        for (int r = 0; r < tr; r++)
        {
            vector<float> sorted(t0.begin() + r * tv, t0.begin() + (r + 1) * tv);
            std::sort(sorted.begin(), sorted.end(), std::greater<float>());
            double m = sorted[0], total = 0, mass = 0;
            for (float x : sorted) total += exp(x - m);
            float cut = sorted.back();
            for (float x : sorted)
            {
                mass += exp(x - m);
                if (mass >= tp[r] * total) { cut = x; break; }
            }
            if (tp[r] >= 1) cut = -INFINITY;
            for (int i = 0; i < tv; i++)
            {
                float x = t0[r * tv + i];
                float want = x >= cut ? x : -INFINITY;
                CHECK(t[r * tv + i] == want, "top_p row %d token %d: %g vs %g (cut %g)", r, i, t[r * tv + i], want, cut);
            }
        }
    }
    printf("logits_temperature, softmax_rows, apply_penalties, top_p_mask ok\n");
}

// Reference order: NaN first, then larger values, +0 above -0, then lower id.
static bool ref_before(float a, int ia, float b, int ib)
{
    bool na = std::isnan(a), nb = std::isnan(b);
    if (na != nb) return na;
    if (!na)
    {
        if (a != b) return a > b;
        if (a == 0 && std::signbit(a) != std::signbit(b)) return !std::signbit(a);
    }
    return ia < ib;
}

static void test_sampling()
{
    struct Case { int vocab, kind; };
    vector<Case> cases = {{1, 0}, {10, 0}, {300, 0}, {1000, 1}, {5000, 2}, {777, 3}, {2000, 4}, {64, 1}, {257, 5}};
    for (auto c : cases)
    {
        int rows = 3, vocab = c.vocab;
        vector<float> l(rows * vocab);
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < vocab; i++)
            {
                float v = uni() * 10;
                if (c.kind == 1) v = (float)irand(4);            // many ties
                if (c.kind == 2) v = (float)irand(1000) * 0.01f;  // some ties
                if (c.kind == 3) v = r == 0 ? -INFINITY : 1.0f;  // all equal
                if (c.kind == 4) v = (i % 3 == 0) ? 0.0f : -0.0f; // signed zeros
                if (c.kind == 5 && irand(50) == 0) v = NAN;
                l[r * vocab + i] = v;
            }
        // argmax
        vector<int> ids(rows);
        vector<float> vals(rows);
        emu::launch(dim3(rows), dim3(256), [&] { k_sampling::argmax_rows(l.data(), ids.data(), vals.data(), rows, vocab); });
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int i = 1; i < vocab; i++) if (ref_before(l[r * vocab + i], i, l[r * vocab + best], best)) best = i;
            CHECK(ids[r] == best, "argmax vocab %d kind %d row %d: %d want %d", vocab, c.kind, r, ids[r], best);
            CHECK(memcmp(&vals[r], &l[r * vocab + best], 4) == 0, "argmax value");
        }
        for (int k : {1, 5, 64})
        {
            vector<int> tid(rows * k, -7);
            vector<float> tv(rows * k);
            emu::launch(dim3(rows), dim3(256), [&] { k_sampling::topk_rows(l.data(), tid.data(), tv.data(), rows, vocab, k); });
            for (int r = 0; r < rows; r++)
            {
                vector<int> order(vocab);
                std::iota(order.begin(), order.end(), 0);
                const float* row = &l[r * vocab];
                std::sort(order.begin(), order.end(), [&](int a, int b) { return ref_before(row[a], a, row[b], b); });
                for (int j = 0; j < k; j++)
                {
                    int want = j < vocab ? order[j] : -1;
                    CHECK(tid[r * k + j] == want, "topk vocab %d kind %d k %d row %d pos %d: %d want %d", vocab, c.kind, k, r, j, tid[r * k + j], want);
                    if (want >= 0) CHECK(memcmp(&tv[r * k + j], &row[want], 4) == 0, "topk value");
                    else CHECK(tv[r * k + j] == -INFINITY, "topk fill");
                }
            }
        }
    }
    printf("argmax_rows, topk_rows ok\n");
}

// ---- attention ----
struct Batch
{
    int n_heads, n_kv, hd, bs, max_blocks, n_seqs;
    vector<int> seq_len;              // after this step's writes
    vector<int> token_seq, positions; // the step's tokens
    vector<int> tables;               // [seq][max_blocks]
    vector<u16> kp, vp;               // pool
    vector<float> q;                  // [t][q_stride], only q heads used
    int q_stride() const { return (n_heads + 2 * n_kv) * hd; }
};

static Batch make_batch(int nh, int nkv, int hd, int bs, vector<int> lens, vector<int> new_tokens, bool interleave)
{
    Batch b;
    b.n_heads = nh; b.n_kv = nkv; b.hd = hd; b.bs = bs; b.n_seqs = lens.size();
    b.seq_len = lens;
    int maxlen = *std::max_element(lens.begin(), lens.end());
    b.max_blocks = (maxlen + bs - 1) / bs + 1;
    int total_blocks = 0;
    for (int l : lens) total_blocks += (l + bs - 1) / bs;
    total_blocks += 3;
    vector<int> perm(total_blocks);
    std::iota(perm.begin(), perm.end(), 0);
    for (int i = total_blocks - 1; i > 0; i--) std::swap(perm[i], perm[irand(i + 1)]);
    b.tables.assign(b.n_seqs * b.max_blocks, -1);
    int next = 0;
    for (int s = 0; s < b.n_seqs; s++)
        for (int i = 0; i < (lens[s] + bs - 1) / bs; i++) b.tables[s * b.max_blocks + i] = perm[next++];
    size_t pool = (size_t)total_blocks * nkv * bs * hd;
    b.kp.resize(pool);
    b.vp.resize(pool);
    for (auto& v : b.kp) v = ref_bf16(uni() * 2);
    for (auto& v : b.vp) v = ref_bf16(uni() * 2);
    // the step's tokens: the last new_tokens[s] positions of each sequence
    vector<std::pair<int, int>> toks;
    for (int s = 0; s < b.n_seqs; s++)
        for (int p = lens[s] - new_tokens[s]; p < lens[s]; p++) toks.push_back({s, p});
    if (interleave) for (int i = toks.size() - 1; i > 0; i--) std::swap(toks[i], toks[irand(i + 1)]);
    for (auto& t : toks) { b.token_seq.push_back(t.first); b.positions.push_back(t.second); }
    int n = toks.size();
    b.q.resize((size_t)n * b.q_stride());
    for (auto& v : b.q) v = uni() * 2;
    return b;
}

static void ref_attention(const Batch& b, float scale, vector<double>& out)
{
    int n = b.token_seq.size(), hd = b.hd;
    out.assign((size_t)n * b.n_heads * hd, 0);
    for (int t = 0; t < n; t++)
        for (int h = 0; h < b.n_heads; h++)
        {
            int kvh = h / (b.n_heads / b.n_kv), s = b.token_seq[t], len = b.positions[t] + 1;
            vector<double> sc(len);
            double m = -INFINITY;
            for (int p = 0; p < len; p++)
            {
                int blk = b.tables[s * b.max_blocks + p / b.bs];
                size_t row = (((size_t)blk * b.n_kv + kvh) * b.bs + p % b.bs) * hd;
                double d = 0;
                for (int i = 0; i < hd; i++) d += (double)b.q[(size_t)t * b.q_stride() + h * hd + i] * bf(b.kp[row + i]);
                sc[p] = d * scale;
                m = std::max(m, sc[p]);
            }
            double sum = 0;
            for (int p = 0; p < len; p++) sum += (sc[p] = exp(sc[p] - m));
            for (int p = 0; p < len; p++)
            {
                int blk = b.tables[s * b.max_blocks + p / b.bs];
                size_t row = (((size_t)blk * b.n_kv + kvh) * b.bs + p % b.bs) * hd;
                for (int i = 0; i < hd; i++) out[((size_t)t * b.n_heads + h) * hd + i] += sc[p] / sum * bf(b.vp[row + i]);
            }
        }
}

// max |got - ref| relative to the largest |ref| of the same (token, head)
static double att_err(const Batch& b, const vector<double>& ref, const std::function<double(size_t)>& got)
{
    int n = b.token_seq.size();
    double worst = 0;
    for (int t = 0; t < n; t++)
        for (int h = 0; h < b.n_heads; h++)
        {
            size_t base = ((size_t)t * b.n_heads + h) * b.hd;
            double mx = 1e-30, e = 0;
            for (int i = 0; i < b.hd; i++) { mx = std::max(mx, fabs(ref[base + i])); e = std::max(e, fabs(got(base + i) - ref[base + i])); }
            worst = std::max(worst, e / mx);
        }
    return worst;
}

// decode: every token of the step (each against its own context), partitions of P tokens, through the kernel
// for the batch's group size (rounded up to a power of two) and attention_decode_merge
static void test_decode(const Batch& b, float scale, int P)
{
    vector<double> ref;
    ref_attention(b, scale, ref);
    int n = b.token_seq.size(), nh = b.n_heads, hd = b.hd, group = b.n_heads / b.n_kv;
    int maxlen = *std::max_element(b.positions.begin(), b.positions.end()) + 1;
    int maxp = (maxlen + P - 1) / P + 1; // one spare partition past every token's length
    vector<float> po((size_t)n * nh * maxp * hd, NAN), pm((size_t)n * nh * maxp, NAN), ps((size_t)n * nh * maxp, NAN);
    auto partial = group <= 1 ? k_attention::attention_decode_partial_g1 : group <= 2 ? k_attention::attention_decode_partial_g2
                 : group <= 4 ? k_attention::attention_decode_partial_g4 : k_attention::attention_decode_partial_g8;
    emu::launch(dim3(n, b.n_kv, maxp), dim3(128), [&] {
        partial(b.q.data(), b.q_stride(), b.kp.data(), b.vp.data(), b.tables.data(), b.max_blocks, b.token_seq.data(), b.positions.data(),
                po.data(), pm.data(), ps.data(), n, nh, b.n_kv, hd, b.bs, P, maxp, scale);
    });
    vector<u16> out((size_t)n * nh * hd, 0xffff);
    emu::launch(dim3(n, nh), dim3(128), [&] {
        k_attention::attention_decode_merge(po.data(), pm.data(), ps.data(), b.positions.data(), out.data(), n, nh, hd, P, maxp);
    });
    double e = att_err(b, ref, [&](size_t i) { return (double)bf(out[i]); });
    CHECK(e < 8e-3, "decode %d/%d hd %d P %d rel err %g", nh, b.n_kv, hd, P, e);
    printf("  decode  %2d/%d heads hd %3d partitions of %3d: max err / max|ref| = %.2e\n", nh, b.n_kv, hd, P, e);
}

static void test_attention()
{
    struct Case { int nh, nkv, hd, bs; vector<int> lens, news; bool inter; };
    vector<Case> cases = {
        {4, 2, 8, 4, {9, 23, 1}, {9, 5, 1}, false},            // general path, tiny head_dim (stories260K-like)
        {2, 1, 64, 16, {150, 70}, {130, 3}, false},             // tensor-core path, runs across passes
        {2, 2, 128, 16, {200, 33}, {77, 33}, false},            // tensor-core path, head_dim 128
        {2, 1, 128, 8, {40, 60, 20}, {10, 15, 20}, true},       // interleaved sequences: many runs per pass
        {3, 1, 96, 16, {140}, {140}, false},                    // general path, 12 chunks
        {2, 2, 256, 32, {130, 5}, {10, 5}, false},              // general path, head_dim 256
        {2, 1, 40, 16, {45}, {12}, false},                      // general path, 5 chunks (not a power of two)
    };
    for (auto& c : cases)
    {
        Batch b = make_batch(c.nh, c.nkv, c.hd, c.bs, c.lens, c.news, c.inter);
        int n = b.token_seq.size();
        float scale = 1.0f / sqrtf((float)c.hd);
        vector<double> ref;
        ref_attention(b, scale, ref);
        bool mma = c.hd == 64 || c.hd == 128;
        for (int gx : {(n + 63) / 64, n, 3})
        {
            vector<u16> out((size_t)n * c.nh * c.hd, 0xffff);
            emu::launch(dim3(gx, c.nh), dim3(128), [&] {
                k_attention::attention_prefill(b.q.data(), b.q_stride(), b.kp.data(), b.vp.data(), b.tables.data(), b.max_blocks,
                                               b.token_seq.data(), b.positions.data(), out.data(), n, c.nh, c.nkv, c.hd, c.bs, scale);
            });
            double e = att_err(b, ref, [&](size_t i) { return (double)bf(out[i]); });
            double tol = mma ? 2e-2 : 8e-3;
            CHECK(e < tol, "prefill hd %d grid.x %d rel err %g", c.hd, gx, e);
            printf("  prefill hd %3d %s grid.x %3d: max err / max|ref| = %.2e\n", c.hd, mma ? "mma    " : "general", gx, e);
        }
        for (int P : {16, 64}) test_decode(b, scale, P);
    }
    // Decode only: group sizes 1 to 8 (Llama-3 4, TinyLlama 8, MHA 1, Qwen2 7 -> the _g8 kernel), head dims 64, 80, 128;
    // contexts across block, tile and partition boundaries, partitions that are not block multiples.
    vector<Case> decode_cases = {
        {8, 1, 128, 16, {1, 17, 100, 300}, {1, 1, 1, 1}, false},
        {16, 4, 64, 16, {33, 129, 2}, {1, 1, 1}, false},
        {8, 8, 80, 16, {70, 161}, {1, 1}, false},
        {7, 1, 64, 8, {90, 9}, {1, 1}, false},
        {12, 2, 128, 32, {257, 31}, {1, 1}, false},
        {8, 2, 128, 12, {100, 37}, {1, 1}, false}, // a block size that is not a power of two (divisions, not shifts)
    };
    for (auto& c : decode_cases)
    {
        Batch b = make_batch(c.nh, c.nkv, c.hd, c.bs, c.lens, c.news, c.inter);
        float scale = 1.0f / sqrtf((float)c.hd);
        for (int P : {48, 256}) test_decode(b, scale, P);
    }
    printf("attention ok\n");
}
// ---- the emulator's cp.async: a copy lands at the wait that covers its group, not before ----
static void test_cp_async()
{
    static uint4 src[3], seen[3][4];
    for (int i = 0; i < 3; i++) src[i] = {1u + i, 2u, 3u, 4u};
    emu::launch(dim3(1), dim3(32), [] {
        __shared__ uint4 dst[32][3];
        const int t = threadIdx.x;
        for (int i = 0; i < 3; i++) dst[t][i] = {0u, 0u, 0u, 0u};
        cp_async16(&dst[t][0], &src[0]);
        cp_async_commit();
        cp_async16(&dst[t][1], &src[1]);
        cp_async_commit();
        cp_async16(&dst[t][2], &src[2]); // the open group: no wait covers it until committed
        if (t == 0) seen[0][0] = dst[t][0];
        cp_async_wait<1>();
        if (t == 0) { seen[0][1] = dst[t][0]; seen[1][1] = dst[t][1]; }
        cp_async_wait<0>();
        if (t == 0) { seen[1][2] = dst[t][1]; seen[2][2] = dst[t][2]; }
        cp_async_commit();
        cp_async_wait<0>();
        if (t == 0) seen[2][3] = dst[t][2];
    });
    CHECK(seen[0][0].x == 0, "cp.async: a copy landed before any wait");
    CHECK(seen[0][1].x == 1 && seen[1][1].x == 0, "cp.async: wait_group 1 must land the older group only (%u %u)", seen[0][1].x, seen[1][1].x);
    CHECK(seen[1][2].x == 2 && seen[2][2].x == 0, "cp.async: wait_group 0 must land every committed group, not the open one (%u %u)", seen[1][2].x, seen[2][2].x);
    CHECK(seen[2][3].x == 3, "cp.async: the last group never landed");
    printf("cp_async ok\n");
}

int main(int argc, char** argv)
{
    std::string only = argc > 1 ? argv[1] : "";
    auto want = [&](const char* s) { return only.empty() || only == s; };
    if (want("embedding")) test_embedding();
    if (want("rmsnorm")) test_rmsnorm();
    if (want("elementwise")) test_elementwise();
    if (want("swiglu")) test_swiglu();
    if (want("rotary")) test_rotary();
    if (want("kv")) test_kv();
    if (want("convert")) test_convert();
    if (want("quant")) test_quant();
    if (want("logits")) test_logits();
    if (want("sampling")) test_sampling();
    if (want("cp_async")) test_cp_async();
    if (want("attention")) test_attention();
    printf(failures ? "%d FAILURES\n" : "all passed\n", failures);
    return failures != 0;
}
