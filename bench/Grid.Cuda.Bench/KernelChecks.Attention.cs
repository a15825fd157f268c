using Grid.Cuda.Backend;
using static Grid.Cuda.Bench.ScalarReference;

namespace Grid.Cuda.Bench;

// attention.cu over a paged pool (HostKvPool: blocks scattered, NaN wherever no sequence's position is).
//
// Error measure: output element (t, h, d) against the F64 reference, divided by mass = sum_j w_j |v_j[d]|
// (>= |output|). Every rounding in these kernels perturbs each term w_j v_j[d] relatively, so this is the
// scale the errors are bounded by, and it does not blow up where an output happens to cancel to near 0.
// - F32 path (decode; prefill with a head_dim the tensor cores do not take): only the final BF16 rounding,
//   within 2^-8 of |output| <= mass; the F32 scores, exps and sums add ~1e-6. Bound 2^-8 + 1e-4.
// - Tensor-core prefill (head_dim 64 or 128): Q * scale is rounded to BF16
//   (the reference rounds it the same way, bit for bit, so the scores agree), the softmax weights P are
//   rounded to BF16 for P.V while their sum l stays F32: within 2^-8 * mass; then the output rounding,
//   2^-8 * mass. MMA accumulation in F32 (not necessarily round-to-nearest) over 128 products for a score and
//   up to hundreds of keys for P.V adds at most a few 1e-4. Bound 2 * 2^-8 + 1e-3.
// A wrong mask (one key too many or too few), KV head or block gives errors of 1e-2 and up at these lengths.
public static partial class KernelChecks
{
    private const double F32AttentionBound = Bf16Unit + 1e-4;
    private const double TensorCoreAttentionBound = 2 * Bf16Unit + 1e-3;

    /// <summary>The head sizes attention_prefill runs on tensor cores (README: 64 and 128; attention.cu's switch).</summary>
    private static bool TensorCorePrefill(int headDim) => headDim is 64 or 128;

    private static void AttentionPrefill(KernelHarness g)
    {
        // GQA 8/2 at head_dim 128, block 16 (tensor cores): a 100-token prompt; a continued chunk (positions 37..86
        // over 37 already in the pool); one token at 250; a 17-token prompt; a chunk at 200..263.
        PrefillCase(g, "hd128", 801, heads: 8, kvHeads: 2, headDim: 128, blockSize: 16, [(0, 100), (37, 87), (250, 251), (0, 17), (200, 264)]);
        // MHA 8/8 at head_dim 64, block 32 (the other tensor-core instance).
        PrefillCase(g, "hd64", 803, heads: 8, kvHeads: 8, headDim: 64, blockSize: 32, [(0, 70), (5, 33), (64, 65)]);
        // MQA 4/1 at head_dim 256, block 32 (Gemma-like; the CUDA-core path).
        PrefillCase(g, "hd256", 802, heads: 4, kvHeads: 1, headDim: 256, blockSize: 32, [(0, 41), (100, 120), (300, 301)]);
    }

    /// <param name="sequences">Per sequence, the positions [From, To) this step computes; positions 0..To-1 are in the pool.</param>
    private static void PrefillCase(KernelHarness g, string name, int seed, int heads, int kvHeads, int headDim, int blockSize, (int From, int To)[] sequences)
    {
        var r = new Random(seed);
        var lengths = sequences.Select(s => s.To).ToArray();
        var blocksPerSequence = lengths.Max() / blockSize + 2; // table entries past the last used one: the poison block
        var pool = new HostKvPool(r, lengths, kvHeads, blockSize, headDim, blocksPerSequence);
        var tokenSeq = new List<int>();
        var positions = new List<int>();
        for (var s = 0; s < sequences.Length; s++)
            for (var p = sequences[s].From; p < sequences[s].To; p++)
            {
                tokenSeq.Add(s);
                positions.Add(p);
            }
        var n = tokenSeq.Count;
        var qStride = (heads + 2 * kvHeads) * headDim; // q is the first block of the stacked qkv rows
        var qkv = TestData.Uniform(r, (long)n * qStride, -2f, 2f);
        var scale = 1f / MathF.Sqrt(headDim);
        var tensorCores = TensorCorePrefill(headDim);

        var want = new double[(long)n * heads * headDim];
        var mass = new double[want.Length];
        var output = new double[headDim];
        var outputMass = new double[headDim];
        for (var t = 0; t < n; t++)
            for (var h = 0; h < heads; h++)
            {
                var q = ScaledQuery(qkv, qStride, t, h, headDim, scale, roundToBf16: tensorCores);
                Attend(pool, tokenSeq[t], h / (heads / kvHeads), q, 0, positions[t] + 1, output, outputMass);
                var at = ((long)t * heads + h) * headDim;
                output.CopyTo(want, at);
                outputMass.CopyTo(mass, at);
            }

        using var qkvBuffer = g.Upload(qkv);
        using var kBuffer = g.Upload(pool.K);
        using var vBuffer = g.Upload(pool.V);
        using var tableBuffer = g.Upload(pool.Tables);
        using var seqBuffer = g.Upload(tokenSeq.ToArray());
        using var positionBuffer = g.Upload(positions.ToArray());
        // attention.cu's launch (64 rows a block, so runs of several sequences share a pass) and the README's
        // (one row a block, as KernelCalls launches it): any grid.x must give the same attention.
        foreach (var gridX in new[] { (n + 63) / 64, n })
        {
            using var outBuffer = g.Filled(want.LongLength, Bf16Nan);
            g.Launch("attention_prefill", new Dim3((uint)gridX, (uint)heads), 128, g.Args.Clear().Add(qkvBuffer.Pointer).Add(qStride)
                .Add(kBuffer.Pointer).Add(vBuffer.Pointer).Add(tableBuffer.Pointer).Add(blocksPerSequence).Add(seqBuffer.Pointer)
                .Add(positionBuffer.Pointer).Add(outBuffer.Pointer).Add(n).Add(heads).Add(kvHeads).Add(headDim).Add(blockSize).Add(scale));
            var got = g.Download(outBuffer);
            var e = new ErrorMeter();
            var abs = new ErrorMeter();
            for (long i = 0; i < want.Length; i++)
            {
                var actual = (double)Bf(got[i]);
                e.Add(Math.Abs(actual - want[i]) / Math.Max(mass[i], 1e-30), i);
                abs.Add(Math.Abs(actual - want[i]), i);
            }
            var key = $"attention_prefill.{name}.grid{gridX}";
            g.Figure($"{key}.max_abs_error", abs.Max);
            g.Bounded(key, "max_rel_error", e, tensorCores ? TensorCoreAttentionBound : F32AttentionBound,
                $"{n} tokens of {sequences.Length} sequences (causal, chunks over earlier context), {heads}/{kvHeads} heads x {headDim}, block {blockSize}, " +
                $"grid {gridX}x{heads}, {(tensorCores ? "tensor-core" : "CUDA-core")} path; error / sum_j w_j|v_j|");
        }
    }

    private static void AttentionDecode(KernelHarness g)
    {
        // Llama-3-8B's attention (32/8 heads x 128, the _g4 kernel) with 256-token partitions; then GQA 8/2 with 64-token
        // partitions (up to 18 of them) and two spare partitions past any token's length.
        DecodeCase(g, "llama3", 811, heads: 32, kvHeads: 8, headDim: 128, blockSize: 16, partitionTokens: 256, sparePartitions: 0);
        DecodeCase(g, "partition64", 812, heads: 8, kvHeads: 2, headDim: 128, blockSize: 16, partitionTokens: 64, sparePartitions: 2);
        // MHA (group 1) at head_dim 64 with 48-token partitions over 32-token blocks (partitions end inside blocks).
        DecodeCase(g, "mha_hd64", 813, heads: 8, kvHeads: 8, headDim: 64, blockSize: 32, partitionTokens: 48, sparePartitions: 1);
        // TinyLlama (32/4 x 64, group 8, the _g8 kernel) with the shortest partitions the backend picks.
        DecodeCase(g, "group8_hd64", 814, heads: 32, kvHeads: 4, headDim: 64, blockSize: 16, partitionTokens: 64, sparePartitions: 0);
        // Group 7 (Qwen2.5-7B's 28/4) at head_dim 128: the _g8 kernel with one padding head.
        DecodeCase(g, "group7_hd128", 815, heads: 28, kvHeads: 4, headDim: 128, blockSize: 16, partitionTokens: 128, sparePartitions: 0);
        // Head dims that are not powers of two: 80 (group 8, lanes past the 10 chunks idle) and 96 (group 3 on _g4).
        DecodeCase(g, "group8_hd80", 816, heads: 16, kvHeads: 2, headDim: 80, blockSize: 16, partitionTokens: 96, sparePartitions: 0);
        DecodeCase(g, "group3_hd96", 817, heads: 12, kvHeads: 4, headDim: 96, blockSize: 16, partitionTokens: 256, sparePartitions: 0);
        // Group 2 at head_dim 256 (Gemma-2-9B's 16/8 x 256: one lane per chunk, a warp per key).
        DecodeCase(g, "group2_hd256", 818, heads: 16, kvHeads: 8, headDim: 256, blockSize: 16, partitionTokens: 256, sparePartitions: 1);
    }

    private static void DecodeCase(KernelHarness g, string name, int seed, int heads, int kvHeads, int headDim, int blockSize, int partitionTokens, int sparePartitions)
    {
        var r = new Random(seed);
        // One decode token per sequence, at the last of its context: lengths on both sides of block and partition
        // boundaries, and not multiples of the partition.
        int[] lengths = [1, 16, 17, 256, 257, 601, 1101];
        var n = lengths.Length;
        var blocksPerSequence = lengths.Max() / blockSize + 2;
        var pool = new HostKvPool(r, lengths, kvHeads, blockSize, headDim, blocksPerSequence);
        var tokenSeq = Enumerable.Range(0, n).ToArray();
        var positions = lengths.Select(l => l - 1).ToArray();
        var qStride = (heads + 2 * kvHeads) * headDim;
        var qkv = TestData.Uniform(r, (long)n * qStride, -2f, 2f);
        var scale = 1f / MathF.Sqrt(headDim);
        var partitions = (lengths.Max() + partitionTokens - 1) / partitionTokens + sparePartitions;
        var parts = (long)n * heads * partitions;

        using var qkvBuffer = g.Upload(qkv);
        using var kBuffer = g.Upload(pool.K);
        using var vBuffer = g.Upload(pool.V);
        using var tableBuffer = g.Upload(pool.Tables);
        using var seqBuffer = g.Upload(tokenSeq);
        using var positionBuffer = g.Upload(positions);
        // NaN in every partial: the merge must read only the partitions a token has.
        using var partOut = g.Filled(parts * headDim, float.NaN);
        using var partMax = g.Filled(parts, float.NaN);
        using var partSum = g.Filled(parts, float.NaN);
        using var outBuffer = g.Filled((long)n * heads * headDim, Bf16Nan);
        // The backend's launch: the kernel for the group size, one block per (token, KV head, partition).
        var kernel = $"attention_decode_partial_g{1 << KernelCalls.DecodeKernelIndex(heads, kvHeads)}";
        g.Launch(kernel, new Dim3((uint)n, (uint)kvHeads, (uint)partitions), 128, g.Args.Clear().Add(qkvBuffer.Pointer).Add(qStride)
            .Add(kBuffer.Pointer).Add(vBuffer.Pointer).Add(tableBuffer.Pointer).Add(blocksPerSequence).Add(seqBuffer.Pointer).Add(positionBuffer.Pointer)
            .Add(partOut.Pointer).Add(partMax.Pointer).Add(partSum.Pointer).Add(n).Add(heads).Add(kvHeads).Add(headDim).Add(blockSize)
            .Add(partitionTokens).Add(partitions).Add(scale));
        g.Launch("attention_decode_merge", new Dim3((uint)n, (uint)heads), 128, g.Args.Clear().Add(partOut.Pointer).Add(partMax.Pointer)
            .Add(partSum.Pointer).Add(positionBuffer.Pointer).Add(outBuffer.Pointer).Add(n).Add(heads).Add(headDim).Add(partitionTokens).Add(partitions));
        var got = g.Download(outBuffer);
        var gotPartOut = g.Download(partOut);
        var gotPartMax = g.Download(partMax);
        var gotPartSum = g.Download(partSum);

        var e = new ErrorMeter();
        var abs = new ErrorMeter();
        var partialMax = new ErrorMeter();
        var partialSum = new ErrorMeter();
        var partialOut = new ErrorMeter();
        var output = new double[headDim];
        var mass = new double[headDim];
        for (var t = 0; t < n; t++)
            for (var h = 0; h < heads; h++)
            {
                var kvh = h / (heads / kvHeads);
                var q = ScaledQuery(qkv, qStride, t, h, headDim, scale, roundToBf16: false);
                Attend(pool, tokenSeq[t], kvh, q, 0, lengths[t], output, mass);
                var at = ((long)t * heads + h) * headDim;
                for (var d = 0; d < headDim; d++)
                {
                    var actual = (double)Bf(got[at + d]);
                    e.Add(Math.Abs(actual - output[d]) / Math.Max(mass[d], 1e-30), at + d);
                    abs.Add(Math.Abs(actual - output[d]), at + d);
                }
                // The partials as attention.cu defines them (figures only: the pair's contract is the merged output).
                for (var p = 0; p * partitionTokens < lengths[t]; p++)
                {
                    var (max, sum) = Attend(pool, tokenSeq[t], kvh, q, p * partitionTokens, Math.Min(lengths[t], (p + 1) * partitionTokens), output, mass);
                    var i = ((long)t * heads + h) * partitions + p;
                    partialMax.Add(Math.Abs(gotPartMax[i] - max), i);
                    partialSum.Add(RelError(gotPartSum[i], sum), i);
                    for (var d = 0; d < headDim; d++) partialOut.Add(Math.Abs(gotPartOut[i * headDim + d] - output[d]) / Math.Max(mass[d], 1e-30), i * headDim + d);
                }
            }
        var key = $"attention_decode.{name}";
        g.Figure($"{key}.max_abs_error", abs.Max);
        g.Figure($"{key}.partial_max_abs_error", partialMax.NonFinite > 0 ? double.NaN : partialMax.Max);
        g.Figure($"{key}.partial_sum_rel_error", partialSum.NonFinite > 0 ? double.NaN : partialSum.Max);
        g.Figure($"{key}.partial_out_rel_error", partialOut.NonFinite > 0 ? double.NaN : partialOut.Max);
        g.Bounded(key, "max_rel_error", e, F32AttentionBound,
            $"{kernel} + attention_decode_merge: {n} tokens with contexts {string.Join("/", lengths)}, {heads}/{kvHeads} heads x {headDim}, block {blockSize}, " +
            $"{partitionTokens}-token partitions (grid z {partitions}); error / sum_j w_j|v_j|");
    }
}
