using Grid.Cuda.Backend;

namespace Grid.Cuda.Bench;

/// <summary>
/// Plain scalar references for the kernel checks: one loop per definition, in F64 where the kernel rounds
/// (so the reference is the exact value the kernel approximates) and in F32 where the kernel's result is
/// exactly defined (conversions, single IEEE operations). Nothing here is tuned; clarity over speed.
/// </summary>
internal static partial class ScalarReference
{
    /// <summary>bfloat16 unit roundoff: 8 significant bits, so round to nearest is within 2^-8 of the value, relatively.</summary>
    public const double Bf16Unit = 1.0 / 256;

    /// <summary>F32 unit roundoff, 2^-24.</summary>
    public const double F32Unit = 1.0 / 16777216;

    public const ushort Bf16Nan = 0x7FC0;

    /// <summary>
    /// F16 bits to F32, exact, independently of the kernels' bit manipulation: finite values by scaling the
    /// integer significand in F64 (exact), infinities as such, NaN with its payload kept (the kernels' documented
    /// behaviour; the BF16 rounding then quiets it).
    /// </summary>
    public static float HalfToFloat(ushort h)
    {
        var negative = (h & 0x8000) != 0;
        var exponent = (h >> 10) & 0x1F;
        var fraction = h & 0x3FF;
        if (exponent == 0x1F)
        {
            var bits = (negative ? 0x80000000u : 0u) | 0x7F800000u | ((uint)fraction << 13);
            return BitConverter.UInt32BitsToSingle(bits);
        }
        // Subnormal: fraction * 2^-24; normal: (1024 + fraction) * 2^(exponent - 25).
        var magnitude = exponent == 0 ? Math.ScaleB(fraction, -24) : Math.ScaleB(1024 + fraction, exponent - 25);
        return (float)(negative ? -magnitude : magnitude);
    }

    /// <summary>The nearest F16 to a float, as bits (for making Q8_0 scales).</summary>
    public static ushort FloatToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>A BF16 value as the kernels read it (exact).</summary>
    public static float Bf(ushort b) => Bf16.ToFloat(b);

    /// <summary>Round trip through BF16 (what storing a value to BF16 and reading it back gives).</summary>
    public static float RoundBf16(float x) => Bf16.ToFloat(Bf16.FromFloat(x));

    /// <summary>
    /// random.cu's generator: SplitMix64 of (seed + i * golden gamma), its top 24 bits as u in [0, 1),
    /// v = (2u - 1) * scale (2u - 1 is exact in F32, so only the product rounds), then BF16.
    /// </summary>
    public static ushort RandomBf16(ulong seed, long index, float scale)
    {
        unchecked
        {
            var z = seed + (ulong)index * 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var u = (float)(z >> 40) * (1.0f / 16777216.0f);
            var v = (u * 2.0f - 1.0f) * scale;
            return Bf16.FromFloat(v);
        }
    }

    /// <summary>
    /// The sampling order of sampling.cu: larger value first, +0 above -0, NaN above everything; as an unsigned
    /// key that grows with the value. Ties (equal keys) go to the lower id.
    /// </summary>
    public static uint OrderKey(float f)
    {
        var u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) return 0xFFFFFFFF;
        return (u & 0x80000000) != 0 ? ~u : u | 0x80000000;
    }

    /// <summary>True when (key a, id a) ranks before (key b, id b).</summary>
    public static bool RanksBefore(uint ka, int ia, uint kb, int ib) => ka > kb || (ka == kb && ia < ib);

    /// <summary>Index of the row's largest value by <see cref="OrderKey"/>, the lowest id on ties.</summary>
    public static int Argmax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (RanksBefore(OrderKey(row[i]), i, OrderKey(row[best]), best)) best = i;
        return best;
    }

    /// <summary>The ids of the row's <paramref name="k"/> largest values, best first (ties: lower id); -1 past the row's length.</summary>
    public static int[] TopK(ReadOnlySpan<float> row, int k)
    {
        var ids = new int[row.Length];
        var keys = new uint[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            ids[i] = i;
            keys[i] = OrderKey(row[i]);
        }
        Array.Sort(ids, (a, b) => keys[a] != keys[b] ? keys[b].CompareTo(keys[a]) : a.CompareTo(b));
        var top = new int[k];
        for (var j = 0; j < k; j++) top[j] = j < ids.Length ? ids[j] : -1;
        return top;
    }

    /// <summary>The bits of a float, for exact comparison.</summary>
    public static uint Bits(float f) => BitConverter.SingleToUInt32Bits(f);
}

/// <summary>Seeded random inputs.</summary>
internal static class TestData
{
    public static float[] Uniform(Random r, long n, float lo, float hi)
    {
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.NextSingle();
        return a;
    }

    /// <summary>Normal(0, sigma) by Box-Muller.</summary>
    public static float[] Normal(Random r, long n, double sigma)
    {
        var a = new float[n];
        for (long i = 0; i < n; i++)
        {
            var u1 = 1.0 - r.NextDouble();
            var u2 = r.NextDouble();
            a[i] = (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    /// <summary>Uniform values already rounded to BF16, as BF16 bits (a weight table, a KV pool).</summary>
    public static ushort[] Bf16Uniform(Random r, long n, float lo, float hi)
    {
        var a = new ushort[n];
        for (long i = 0; i < n; i++) a[i] = Bf16.FromFloat(lo + (hi - lo) * r.NextSingle());
        return a;
    }

    /// <summary><paramref name="count"/> distinct values from [0, <paramref name="range"/>), in random order.</summary>
    public static int[] Distinct(Random r, int count, int range)
    {
        var all = Enumerable.Range(0, range).ToArray();
        r.Shuffle(all);
        return all[..count];
    }
}
