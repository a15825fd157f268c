using System.Diagnostics;
using Grid.Cuda.Backend;
using Grid.Engine.Compute;
using Grid.Engine.Compute.Sim;
using Grid.Engine.Models;

namespace Grid.Cuda.Bench;

/// <summary>
/// Llama-3-8B-shaped, BF16 random weights made on the device: decode throughput at batch 1, 16, 64, 256
/// against the HBM roofline (weights plus the KV each step reads), prefill of 2,048-token prompts against
/// peak BF16 FLOP/s, and nano-batch pipelining on against off at batch 256. Diagnostics at batch 64 and 256: the
/// same step asking for one logit row (the logits download and copy's share); the decode attention, the GEMMs and the
/// other kernels each alone, timed with CUDA events (their shares; the step less the three is host work and gaps); the host copy of a batch-256 logits block with one thread and with several.
/// </summary>
public static class GpuBench
{
    private static int DecodeContext = 1024;
    private static int PrefillTokens = 2048;

    /// <param name="small">A small model and short contexts: the same code paths in seconds (the host emulation in CI runs this).</param>
    public static void Run(Results results, int steps, bool small = false)
    {
        var config = ModelShape.Llama3_8B.Config;
        if (small)
        {
            config = new ModelConfig { Dim = 256, HiddenDim = 512, Layers = 2, Heads = 4, KvHeads = 2, VocabSize = 512, ContextLength = 512 };
            DecodeContext = 64;
            PrefillTokens = 128;
        }
        var spec = SpecOf(CudaDevice.Get(0).Name);
        results.Note("roofline.spec", $"{spec.Name}: {spec.MemoryBandwidth / 1e12:F2} TB/s, {spec.PeakFlops / 1e12:F0} TFLOP/s BF16 dense (datasheet)");
        var maxBatch = small ? 8 : 256;
        var blocksNeeded = maxBatch * (DecodeContext / 16 + 1) + PrefillTokens / 16 + 1;
        using var backend = new CudaBackend(config, (c, k) => RandomDeviceWeights.Create(c, k, config, seed: 1),
            new CudaBackendOptions { BlockCount = blocksNeeded, MaxBatchTokens = PrefillTokens, MaxSequences = maxBatch, NanoBatches = 1 });
        results.Figure("kernels.load_seconds", backend.KernelLoadTime.TotalSeconds, "s");
        results.Figure("decode.attention_blocks_per_sm", backend.DecodeBlocksPerMultiprocessor);

        var weightBytes = 2.0 * WeightCount(config);
        foreach (var batch in small ? new[] { 1, 8 } : new[] { 1, 16, 64, 256 })
        {
            var tps = Decode(backend, batch, steps);
            var kvBytes = 2.0 * 2 * config.Layers * config.KvDim * (double)DecodeContext * batch;
            var roofline = batch / ((weightBytes + kvBytes) / spec.MemoryBandwidth);
            results.Figure($"decode.b{batch}.tokens_per_second", tps, "tok/s");
            results.Figure($"decode.b{batch}.roofline_fraction", tps / roofline);
            results.Figure($"decode.b{batch}.step_ms", 1000.0 * batch / tps, "ms");
            // Why the step takes what it takes: the attention kernels' part against their bytes (every batch: cheap) ...
            var attention = backend.TimeDecodeAttention();
            var (partitionTokens, partitions) = backend.LastDecodePartitions;
            results.Note($"decode.b{batch}.attention_split", $"{partitions} partitions of {partitionTokens} tokens per token and KV head");
            results.Figure($"decode.b{batch}.attention_ms", attention, "ms");
            results.Figure($"decode.b{batch}.attention_kv_gb_per_second", attention > 0 ? kvBytes / (attention / 1000) / 1e9 : 0, "GB/s");
            // ... the GEMMs' part against the bytes they move, the small kernels' part, and what is left: host work and gaps.
            var gemm = backend.TimeDecodeParts(StepParts.Gemm);
            var other = backend.TimeDecodeParts(StepParts.Other);
            results.Figure($"decode.b{batch}.gemm_ms", gemm, "ms");
            results.Figure($"decode.b{batch}.gemm_gb_per_second", gemm > 0 ? GemmBytes(config, batch) / (gemm / 1000) / 1e9 : 0, "GB/s");
            results.Figure($"decode.b{batch}.other_ms", other, "ms");
            results.Figure($"decode.b{batch}.unaccounted_ms", 1000.0 * batch / tps - attention - gemm - other, "ms");
            // ... and, at the big batches, the logits' part: the same step asking for one row.
            if (batch != (small ? 8 : 64) && batch != 256) continue;
            var oneRow = Decode(backend, batch, steps, oneLogitRow: true);
            results.Figure($"decode.b{batch}.one_logit_row.tokens_per_second", oneRow, "tok/s");
            results.Figure($"decode.b{batch}.one_logit_row.step_ms", 1000.0 * batch / oneRow, "ms");
        }
        // Llama-3's batch-256 logits even for the small shape: the host copy does not depend on the device.
        LogitCopy(results, 256L * ModelShape.Llama3_8B.Config.VocabSize);

        var prefill = Prefill(backend, config);
        var flops = 2.0 * WeightCount(config) * PrefillTokens + 4.0 * config.Layers * config.Dim * (PrefillTokens * (PrefillTokens + 1) / 2.0);
        results.Figure($"prefill.{PrefillTokens}.tokens_per_second", prefill, "tok/s");
        results.Figure($"prefill.{PrefillTokens}.peak_fraction", flops / (PrefillTokens / prefill) / spec.PeakFlops);

        var off = Decode(backend, maxBatch, steps);
        var best = (Count: 1, Tps: off);
        foreach (var count in new[] { 2, 4 })
        {
            backend.NanoBatchCount = count;
            var tps = Decode(backend, maxBatch, steps);
            results.Figure($"nanobatch.b{maxBatch}.n{count}.tokens_per_second", tps, "tok/s");
            if (tps > best.Tps) best = (count, tps);
        }
        backend.NanoBatchCount = 1;
        results.Figure($"nanobatch.b{maxBatch}.off.tokens_per_second", off, "tok/s");
        results.Figure($"nanobatch.b{maxBatch}.speedup", best.Tps / off);
        results.Note($"nanobatch.b{maxBatch}.best", $"{best.Count} nano-batches");
    }

    /// <summary>Decode tokens/s: <paramref name="batch"/> sequences, each one token at position DecodeContext, its own blocks.</summary>
    /// <param name="oneLogitRow">Only the first sequence asks for logits (the others' rows are neither computed nor downloaded).</param>
    private static double Decode(CudaBackend backend, int batch, int steps, bool oneLogitRow = false)
    {
        var blocksPer = DecodeContext / backend.BlockSize + 1;
        var forward = new ForwardBatch(batch, batch);
        for (var s = 0; s < batch; s++)
        {
            var table = Enumerable.Range(s * blocksPer, blocksPer).ToArray();
            forward.Add(forward.AddSequence(table), s, DecodeContext, wantLogits: !oneLogitRow || s == 0);
        }
        var logits = new float[(long)(oneLogitRow ? 1 : batch) * backend.Config.VocabSize];
        backend.Forward(forward, logits);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) backend.Forward(forward, logits);
        return batch * steps / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The step's last host stage, alone: copying <paramref name="floats"/> logits from pinned-like native memory into a
    /// managed array with one thread and with <see cref="ParallelCopy"/>'s threads (milliseconds, best of 5).
    /// </summary>
    private static unsafe void LogitCopy(Results results, long floats)
    {
        var bytes = floats * sizeof(float);
        var source = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        try
        {
            new Span<float>(source, (int)floats).Fill(1f);
            var destination = new float[floats];
            using var parallel = new ParallelCopy();
            foreach (var (name, copy) in new[] { ("t1", new ParallelCopy(1)), ($"t{parallel.Threads}", parallel) })
            {
                var best = double.MaxValue;
                fixed (float* d = destination)
                    for (var r = 0; r < 6; r++)
                    {
                        var clock = Stopwatch.StartNew();
                        copy.Copy(source, d, bytes);
                        if (r > 0) best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
                    }
                results.Figure($"logits.copy_{bytes / 1_000_000}MB.{name}_ms", best, "ms");
                if (copy != parallel) copy.Dispose();
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(source);
        }
    }

    /// <summary>Prefill tokens/s of one 2,048-token prompt in one step (logits for its last token only).</summary>
    private static double Prefill(CudaBackend backend, ModelConfig config)
    {
        var forward = new ForwardBatch(PrefillTokens, 1);
        var first = backend.BlockCount - (PrefillTokens / backend.BlockSize + 1);
        var s = forward.AddSequence(Enumerable.Range(first, PrefillTokens / backend.BlockSize + 1).ToArray());
        for (var p = 0; p < PrefillTokens; p++) forward.Add(s, p % config.VocabSize, p, wantLogits: p == PrefillTokens - 1);
        var logits = new float[config.VocabSize];
        backend.Forward(forward, logits);
        const int repeats = 3;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) backend.Forward(forward, logits);
        return PrefillTokens * repeats / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Bytes the GEMMs of one decode step of <paramref name="batch"/> tokens (every logit row) move at least: the
    /// weights, the BF16 inputs, the F32 outputs (the output and down projections read and write theirs: beta = 1).
    /// </summary>
    private static double GemmBytes(ModelConfig c, int batch)
    {
        double qkv = (c.Heads + 2.0 * c.KvHeads) * c.HeadDim, attn = (double)c.Heads * c.HeadDim;
        var inputs = c.Layers * (c.Dim + attn + c.Dim + c.HiddenDim) + c.Dim;
        var outputs = c.Layers * (qkv + 2.0 * c.Dim + 2.0 * c.HiddenDim + 2.0 * c.Dim) + c.VocabSize;
        return 2.0 * WeightCount(c) + batch * (2.0 * inputs + 4.0 * outputs);
    }

    /// <summary>Parameters the matrices of one forward read (the embedding is a gather, not a product).</summary>
    private static double WeightCount(ModelConfig c) =>
        (double)c.Layers * ((c.Heads + 2.0 * c.KvHeads) * c.HeadDim * c.Dim + (double)c.Dim * c.Dim + 3.0 * c.Dim * c.HiddenDim) + (double)c.VocabSize * c.Dim;

    private static GpuSpec SpecOf(string deviceName) =>
        deviceName.Contains("H200", StringComparison.OrdinalIgnoreCase) ? GpuSpec.H200
        : deviceName.Contains("A100", StringComparison.OrdinalIgnoreCase) ? GpuSpec.A100Sxm80
        : deviceName.Contains("L40S", StringComparison.OrdinalIgnoreCase) ? GpuSpec.L40S
        : GpuSpec.H100Sxm;
}
