using Grid.Cuda.Backend;

namespace Grid.Cuda.Bench;

/// <summary>
/// A paged KV pool on the host, laid out as the device's: K and V each BF16 [blocks][kv_heads][block_size][head_dim],
/// sequence s's position p in block tables[s][p / block_size] at offset p % block_size. Blocks are handed out
/// in a random order (scattered over the pool). Everything that no sequence owns holds NaN: the slots past each
/// sequence's length, a few spare blocks, and the poison block that fills each table past its last used
/// entry. A kernel that reads past a sequence's positions (or multiplies a stale value by a zero weight)
/// then shows NaN in its output instead of passing by luck.
/// </summary>
internal sealed class HostKvPool
{
    public HostKvPool(Random r, int[] lengths, int kvHeads, int blockSize, int headDim, int blocksPerSequence)
    {
        KvHeads = kvHeads;
        BlockSize = blockSize;
        HeadDim = headDim;
        BlocksPerSequence = blocksPerSequence;
        Lengths = lengths;
        var needed = lengths.Select(l => (l + blockSize - 1) / blockSize).ToArray();
        if (needed.Max() > blocksPerSequence) throw new ArgumentException("a sequence needs more blocks than its table holds");
        Blocks = needed.Sum() + 4; // three spare blocks and the poison block
        var order = TestData.Distinct(r, Blocks, Blocks);
        PoisonBlock = order[^1];
        Tables = new int[lengths.Length * blocksPerSequence];
        Array.Fill(Tables, PoisonBlock);
        var next = 0;
        for (var s = 0; s < lengths.Length; s++)
            for (var b = 0; b < needed[s]; b++)
                Tables[s * blocksPerSequence + b] = order[next++];
        var elements = (long)Blocks * kvHeads * blockSize * headDim;
        K = new ushort[elements];
        V = new ushort[elements];
        Array.Fill(K, ScalarReference.Bf16Nan);
        Array.Fill(V, ScalarReference.Bf16Nan);
        // K in [-2, 2) and queries likewise give scaled scores of standard deviation about 1.3: softmax weights
        // neither uniform nor one-hot. V in [-1, 1).
        for (var s = 0; s < lengths.Length; s++)
            for (var p = 0; p < lengths[s]; p++)
                for (var h = 0; h < kvHeads; h++)
                {
                    var row = Row(s, p, h);
                    for (var d = 0; d < headDim; d++)
                    {
                        K[row + d] = Bf16.FromFloat(-2f + 4f * r.NextSingle());
                        V[row + d] = Bf16.FromFloat(-1f + 2f * r.NextSingle());
                    }
                }
    }

    public int Blocks { get; }
    public int KvHeads { get; }
    public int BlockSize { get; }
    public int HeadDim { get; }
    public int BlocksPerSequence { get; }
    public int PoisonBlock { get; }
    public int[] Lengths { get; }
    public int[] Tables { get; }
    public ushort[] K { get; }
    public ushort[] V { get; }

    /// <summary>Offset, in elements, of sequence <paramref name="seq"/>'s position <paramref name="pos"/> for KV head <paramref name="kvh"/>.</summary>
    public long Row(int seq, int pos, int kvh) =>
        (((long)Tables[seq * BlocksPerSequence + pos / BlockSize] * KvHeads + kvh) * BlockSize + pos % BlockSize) * HeadDim;
}

internal static partial class ScalarReference
{
    /// <summary>
    /// The query of token row <paramref name="row"/>, head <paramref name="head"/>, times scale in F32 (as every
    /// attention kernel forms it), and rounded to BF16 where the kernel's tensor-core path feeds it to the MMA.
    /// </summary>
    public static float[] ScaledQuery(float[] qkv, int qStride, int row, int head, int headDim, float scale, bool roundToBf16)
    {
        var q = new float[headDim];
        for (var d = 0; d < headDim; d++)
        {
            var v = qkv[(long)row * qStride + head * headDim + d] * scale;
            q[d] = roundToBf16 ? RoundBf16(v) : v;
        }
        return q;
    }

    /// <summary>
    /// Softmax attention of a (scaled) query over positions [begin, end) of one sequence and KV head, in F64:
    /// output[d] = sum_j w_j v_j[d] with w the softmax of the scores q.k_j; mass[d] = sum_j w_j |v_j[d]| (the
    /// scale the output's rounding errors are measured against). Returns the largest score and sum_j exp(s_j - max).
    /// </summary>
    public static (double Max, double Sum) Attend(HostKvPool kv, int seq, int kvh, float[] q, int begin, int end, double[] output, double[] mass)
    {
        var scores = new double[end - begin];
        var max = double.NegativeInfinity;
        for (var j = 0; j < scores.Length; j++)
        {
            var row = kv.Row(seq, begin + j, kvh);
            double s = 0;
            for (var d = 0; d < q.Length; d++) s += (double)q[d] * Bf(kv.K[row + d]);
            scores[j] = s;
            max = Math.Max(max, s);
        }
        double sum = 0;
        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] = Math.Exp(scores[j] - max);
            sum += scores[j];
        }
        Array.Clear(output);
        Array.Clear(mass);
        for (var j = 0; j < scores.Length; j++)
        {
            var row = kv.Row(seq, begin + j, kvh);
            var w = scores[j] / sum;
            for (var d = 0; d < q.Length; d++)
            {
                double v = Bf(kv.V[row + d]);
                output[d] += w * v;
                mass[d] += w * Math.Abs(v);
            }
        }
        return (max, sum);
    }
}
