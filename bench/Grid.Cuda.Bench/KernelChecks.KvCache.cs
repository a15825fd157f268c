using Grid.Cuda.Backend;

namespace Grid.Cuda.Bench;

// kv_cache.cu: the paged pool [blocks][kv_heads][block_size][head_dim], BF16. Both kernels are exact.
public static partial class KernelChecks
{
    private static void KvWrite(KernelHarness g)
    {
        var r = new Random(501);
        const int heads = 8, kvHeads = 2, headDim = 128, blockSize = 16, poolBlocks = 64;
        const int stride = (heads + 2 * kvHeads) * headDim, kColumn = heads * headDim, vColumn = kColumn + kvHeads * headDim;
        const long poolElements = (long)poolBlocks * kvHeads * blockSize * headDim;

        // Three sequences, their blocks scattered over the pool: a 40-token prompt, a continued chunk (positions
        // 13..52, crossing block boundaries), a chunk at 100..113; and two padding tokens (slot -1: skipped).
        var blocks = TestData.Distinct(r, 15, poolBlocks);
        int[][] tables = [blocks[..3], blocks[3..7], blocks[7..15]];
        var slots = new List<int>();
        void Sequence(int s, int from, int to)
        {
            for (var p = from; p < to; p++) slots.Add(tables[s][p / blockSize] * blockSize + p % blockSize);
        }
        Sequence(0, 0, 40);
        Sequence(1, 13, 53);
        slots.Add(-1);
        Sequence(2, 100, 114);
        slots.Add(-1);
        var slotMapping = slots.ToArray();
        var tokens = slotMapping.Length;

        var qkv = TestData.Normal(r, (long)tokens * stride, 1.5);
        var kPool = TestData.Bf16Uniform(r, poolElements, -1f, 1f); // what was there before: must survive outside the slots
        var vPool = TestData.Bf16Uniform(r, poolElements, -1f, 1f);
        using var qkvBuffer = g.Upload(qkv);
        using var kBuffer = g.Upload(kPool);
        using var vBuffer = g.Upload(vPool);
        using var slotBuffer = g.Upload(slotMapping);
        g.Launch("kv_write", tokens, 128, g.Args.Clear().Add(qkvBuffer.ElementPointer(kColumn)).Add(qkvBuffer.ElementPointer(vColumn)).Add(stride)
            .Add(kBuffer.Pointer).Add(vBuffer.Pointer).Add(slotBuffer.Pointer).Add(tokens).Add(kvHeads).Add(headDim).Add(blockSize));
        var gotK = g.Download(kBuffer);
        var gotV = g.Download(vBuffer);

        var wantK = (ushort[])kPool.Clone();
        var wantV = (ushort[])vPool.Clone();
        for (var t = 0; t < tokens; t++)
        {
            var slot = slotMapping[t];
            if (slot < 0) continue;
            int block = slot / blockSize, offset = slot % blockSize;
            for (var h = 0; h < kvHeads; h++)
                for (var d = 0; d < headDim; d++)
                {
                    var at = (((long)block * kvHeads + h) * blockSize + offset) * headDim + d;
                    wantK[at] = Bf16.FromFloat(qkv[(long)t * stride + kColumn + h * headDim + d]);
                    wantV[at] = Bf16.FromFloat(qkv[(long)t * stride + vColumn + h * headDim + d]);
                }
        }
        var m = new Mismatches();
        for (long i = 0; i < poolElements; i++)
        {
            if (!m.Same(wantK[i], gotK[i])) m.Record(i, $"K element {i}: expected 0x{wantK[i]:X4}, got 0x{gotK[i]:X4}");
            if (!m.Same(wantV[i], gotV[i])) m.Record(i, $"V element {i}: expected 0x{wantV[i]:X4}, got 0x{gotV[i]:X4}");
        }
        g.Exact("kv_write", m, $"{tokens} tokens ({kvHeads} KV heads x {headDim}, block {blockSize}, 2 padding) into {poolBlocks}-block K and V pools, BF16 round to nearest even; the rest of the pools untouched");
    }

    private static void KvBlockCopy(KernelHarness g)
    {
        var r = new Random(502);
        const int kvHeads = 2, blockSize = 16, headDim = 128, poolBlocks = 64, copies = 12;
        const int blockElements = kvHeads * blockSize * headDim;
        const long poolElements = (long)poolBlocks * blockElements;
        // Two pools (a swap or migration); one pool (copy-on-write); and pools starting one element past a
        // 16-byte boundary, which takes the kernel's element-wise path.
        foreach (var (name, samePool, offset) in new[] { ("pools", false, 0), ("same_pool", true, 0), ("unaligned", false, 1) })
        {
            var chosen = TestData.Distinct(r, 2 * copies, poolBlocks); // disjoint sources and destinations
            var sources = chosen[..copies];
            var destinations = chosen[copies..];
            var src = TestData.Bf16Uniform(r, poolElements + 1, -1f, 1f);
            var dst = TestData.Bf16Uniform(r, poolElements + 1, -1f, 1f);
            using var srcBuffer = g.Upload(src);
            using var dstBuffer = g.Upload(dst);
            using var sourceBuffer = g.Upload(sources);
            using var destinationBuffer = g.Upload(destinations);
            var to = samePool ? srcBuffer : dstBuffer;
            g.Launch("kv_block_copy", copies, 256, g.Args.Clear().Add(srcBuffer.ElementPointer(offset)).Add(to.ElementPointer(offset))
                .Add(sourceBuffer.Pointer).Add(destinationBuffer.Pointer).Add(copies).Add(blockElements));
            var gotSrc = g.Download(srcBuffer);
            var gotDst = g.Download(dstBuffer);

            var wantDst = (ushort[])(samePool ? src : dst).Clone();
            for (var i = 0; i < copies; i++)
                Array.Copy(src, offset + (long)sources[i] * blockElements, wantDst, offset + (long)destinations[i] * blockElements, blockElements);
            var wantSrc = samePool ? wantDst : src;
            var actualDst = samePool ? gotSrc : gotDst;
            var m = new Mismatches();
            for (long i = 0; i < poolElements + 1; i++)
            {
                if (!m.Same(wantDst[i], actualDst[i]))
                    m.Record(i, $"destination pool element {i} (block {(i - offset) / blockElements}): expected 0x{wantDst[i]:X4}, got 0x{actualDst[i]:X4}");
                if (!samePool && !m.Same(wantSrc[i], gotSrc[i])) m.Record(i, $"source pool element {i} changed");
                if (samePool && !m.Same(dst[i], gotDst[i])) m.Record(i, $"an unrelated buffer changed at {i}");
            }
            g.Exact($"kv_block_copy.{name}", m, $"{copies} blocks of {blockElements} BF16 ({kvHeads} x {blockSize} x {headDim}){(samePool ? " within one pool" : " between pools")}" +
                $"{(offset > 0 ? ", pools at a 2-byte offset" : "")}; every other block untouched");
        }
    }
}
