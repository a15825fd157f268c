namespace Grid.Cuda.Bench;

// Row-wise math references: RMSNorm, SwiGLU, rotary, softmax, penalties.
internal static partial class ScalarReference
{
    /// <summary>|actual - expected| / |expected|; an exact zero must be matched exactly.</summary>
    public static double RelError(double actual, double expected)
    {
        if (expected == 0) return actual == 0 ? 0 : double.PositiveInfinity;
        return Math.Abs(actual - expected) / Math.Abs(expected);
    }

    /// <summary>out[i][j] = x[row][j] / sqrt(mean_j x[row][j]^2 + eps) * weight[j], row = rows?[i] ?? i, in F64.</summary>
    public static double[] RmsNorm(float[] x, float[] weight, int[]? rows, int nRows, int dim, float eps)
    {
        var result = new double[(long)nRows * dim];
        for (var i = 0; i < nRows; i++)
        {
            var row = (long)(rows is null ? i : rows[i]) * dim;
            double squares = 0;
            for (var j = 0; j < dim; j++) squares += (double)x[row + j] * x[row + j];
            var inv = 1 / Math.Sqrt(squares / dim + eps);
            for (var j = 0; j < dim; j++) result[(long)i * dim + j] = x[row + j] * inv * weight[j];
        }
        return result;
    }

    /// <summary>silu(gate) * up = gate * up / (1 + e^-gate) for gate_up rows [gate ff][up ff], in F64.</summary>
    public static double[] SwiGlu(float[] gateUp, int rows, int ff)
    {
        var result = new double[(long)rows * ff];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < ff; c++)
            {
                double gate = gateUp[(long)r * 2 * ff + c], up = gateUp[(long)r * 2 * ff + ff + c];
                result[(long)r * ff + c] = gate * up / (1 + Math.Exp(-gate));
            }
        return result;
    }

    /// <summary>
    /// Rotary on a stacked qkv buffer [t][stride] (q heads from column 0, k heads from column
    /// <paramref name="kColumn"/>): pair j of each of the n_heads + n_kv_heads heads turns by
    /// positions[t] * theta^(-2j/rotary_dim), with cos and sin computed in F64 and rounded to F32 (as the kernel
    /// and Grid.Engine's Rotary do), the rotation itself in F64. Returns the expected buffer and, per element,
    /// |x0| + |x1| of its pair (0 for an element that must be left untouched).
    /// </summary>
    public static (double[] Expected, double[] PairMagnitude) Rotary(float[] qkv, int stride, int kColumn, int[] positions, int heads, int kvHeads,
        int headDim, int rotaryDim, float theta, bool neox)
    {
        var expected = qkv.Select(v => (double)v).ToArray();
        var magnitude = new double[qkv.Length];
        var pairs = rotaryDim / 2;
        for (var t = 0; t < positions.Length; t++)
            for (var j = 0; j < pairs; j++)
            {
                var angle = positions[t] * Math.Pow(theta, -2.0 * j / rotaryDim);
                double c = (float)Math.Cos(angle), s = (float)Math.Sin(angle);
                for (var h = 0; h < heads + kvHeads; h++)
                {
                    var head = (long)t * stride + (h < heads ? h * headDim : kColumn + (h - heads) * headDim);
                    long a = head + (neox ? j : 2 * j), b = head + (neox ? j + pairs : 2 * j + 1);
                    double x0 = qkv[a], x1 = qkv[b];
                    expected[a] = x0 * c - x1 * s;
                    expected[b] = x0 * s + x1 * c;
                    magnitude[a] = magnitude[b] = Math.Abs(x0) + Math.Abs(x1);
                }
            }
        return (expected, magnitude);
    }

    /// <summary>Per row: exp(x - max) / sum exp(x - max), in F64; a row of only -inf is all 0 (the contract's rule).</summary>
    public static double[] Softmax(float[] logits, int rows, int vocab)
    {
        var result = new double[logits.Length];
        for (var r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * vocab, vocab);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            if (double.IsNegativeInfinity(max)) continue;
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            for (var i = 0; i < vocab; i++) result[(long)r * vocab + i] = Math.Exp(row[i] - max) / sum;
        }
        return result;
    }

    /// <summary>
    /// apply_penalties' rule per entry, in F32 exactly as LogitPenalties computes it (each product and sum rounded,
    /// no fused multiply-add): the repetition penalty divides a positive logit or multiplies a negative one, then
    /// a token with count &gt; 0 loses count * frequency + presence. Returns the expected logits and which ones
    /// an entry touched.
    /// </summary>
    public static (float[] Expected, bool[] Touched) Penalties(float[] logits, int vocab, int[] tokens, int[] counts, int[] rowOf,
        float[]? repetition, float[]? presence, float[]? frequency)
    {
        var expected = (float[])logits.Clone();
        var touched = new bool[logits.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token < 0 || token >= vocab) continue;
            var r = rowOf[i];
            var at = (long)r * vocab + token;
            var l = logits[at];
            var rep = repetition?[r] ?? 1f;
            if (rep != 1f) l = l > 0 ? l / rep : l * rep;
            if (counts[i] > 0)
            {
                float f = frequency?[r] ?? 0f, p = presence?[r] ?? 0f;
                var penalty = counts[i] * f; // F32 product, rounded
                penalty += p;                // F32 sum, rounded
                l -= penalty;
            }
            expected[at] = l;
            touched[at] = true;
        }
        return (expected, touched);
    }

    /// <summary>
    /// Rotary as the CPU's Rotary computes it, all in F32 (cos and sin from F64, then x0*c - x1*s with each
    /// product rounded): rotary.cu rounds the same way, so this is bit-identical to the kernel but for the rare
    /// angle whose F64 cos or sin the device rounds to the neighbouring float.
    /// </summary>
    public static float[] RotaryF32(float[] qkv, int stride, int kColumn, int[] positions, int heads, int kvHeads, int headDim, int rotaryDim,
        float theta, bool neox)
    {
        var result = (float[])qkv.Clone();
        var pairs = rotaryDim / 2;
        for (var t = 0; t < positions.Length; t++)
            for (var j = 0; j < pairs; j++)
            {
                var angle = positions[t] * Math.Pow(theta, -2.0 * j / rotaryDim);
                float c = (float)Math.Cos(angle), s = (float)Math.Sin(angle);
                for (var h = 0; h < heads + kvHeads; h++)
                {
                    var head = (long)t * stride + (h < heads ? h * headDim : kColumn + (h - heads) * headDim);
                    long a = head + (neox ? j : 2 * j), b = head + (neox ? j + pairs : 2 * j + 1);
                    float x0 = qkv[a], x1 = qkv[b];
                    float x0c = x0 * c, x1s = x1 * s, x0s = x0 * s, x1c = x1 * c;
                    result[a] = x0c - x1s;
                    result[b] = x0s + x1c;
                }
            }
        return result;
    }

    /// <summary>
    /// Whether <paramref name="masked"/> is a nucleus (top-p) cut of <paramref name="row"/> as top_p_mask defines
    /// it: every logit left as it was or set to -inf; the kept ones exactly those at or above one cut value (ties
    /// at the cut all kept); their softmax mass (F64) reaches <paramref name="topP"/>, and without the lowest kept
    /// value it would not (each within <paramref name="tolerance"/>, the kernel's F32 sums deciding near the
    /// boundary). With top_p &gt;= 1, or a row of only -inf, the row must be unchanged. Returns null when valid,
    /// else why not; <paramref name="kept"/> and <paramref name="expectedKept"/> (the exact F64 cut's count) for figures.
    /// </summary>
    public static string? NucleusError(ReadOnlySpan<float> row, ReadOnlySpan<float> masked, float topP, double tolerance, out int kept, out int expectedKept)
    {
        kept = expectedKept = 0;
        var max = float.NegativeInfinity;
        foreach (var x in row) max = Math.Max(max, x);
        var unchanged = true;
        for (var i = 0; i < row.Length; i++)
        {
            if (Bits(masked[i]) == Bits(row[i])) continue;
            unchanged = false;
            if (!float.IsNegativeInfinity(masked[i])) return $"id {i}: {row[i]:R} became {masked[i]:R}, neither itself nor -inf";
        }
        if (!(topP < 1f) || float.IsNegativeInfinity(max))
        {
            kept = expectedKept = row.Length;
            return unchanged ? null : "the row should be left as it was";
        }

        double total = 0;
        foreach (var x in row) total += Math.Exp(x - max);
        double keptMass = 0, lowestMass = 0;
        float lowestKept = float.PositiveInfinity, highestDropped = float.NegativeInfinity;
        for (var i = 0; i < row.Length; i++)
        {
            if (float.IsNegativeInfinity(row[i])) continue;
            if (float.IsNegativeInfinity(masked[i])) highestDropped = Math.Max(highestDropped, row[i]);
            else
            {
                kept++;
                keptMass += Math.Exp(row[i] - max) / total;
                lowestKept = Math.Min(lowestKept, row[i]);
            }
        }
        if (kept == 0) return "nothing kept";
        if (highestDropped >= lowestKept) return $"dropped {highestDropped:R} but kept {lowestKept:R}: not a cut by value (ties at the cut must stay)";
        var levels = 0;
        foreach (var x in row)
            if (x == lowestKept) lowestMass += Math.Exp(x - max) / total;
        foreach (var x in row)
            if (x > lowestKept) { levels = 2; break; }
        if (keptMass < topP - tolerance) return $"kept mass {keptMass:G6} is short of top_p {topP}";
        if (levels > 1 && keptMass - lowestMass >= topP + tolerance)
            return $"kept mass {keptMass:G6} still reaches top_p {topP} without the cut value {lowestKept:R} ({lowestMass:G4} of it): cut too low";

        // The exact cut for the figure: value levels from the top until the mass reaches top_p.
        var sorted = row.ToArray().Where(x => !float.IsNegativeInfinity(x)).OrderByDescending(x => x).ToArray();
        double mass = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            mass += Math.Exp(sorted[i] - max) / total;
            if (mass >= topP && (i + 1 == sorted.Length || sorted[i + 1] != sorted[i]))
            {
                expectedKept = i + 1;
                break;
            }
            if (i + 1 == sorted.Length) expectedKept = sorted.Length;
        }
        return null;
    }
}
