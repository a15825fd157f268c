using System.Diagnostics;
using System.Numerics.Tensors;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Grid.Bench;

/// <summary>
/// llama.cpp through LLamaSharp, driven at the lowest level (<see cref="LLamaBatch"/> + llama_decode) with the
/// settings FACTS.md found fastest here, so the baseline is llama.cpp at its best, not a wrapper's overhead.
/// </summary>
public sealed class LlamaCppEngine : IBenchEngine
{
    // llama.cpp sizes each sequence's KV stream in steps of this; smaller contexts get rounded up anyway.
    const int ContextStep = 256;
    const int MinBatch = 512;

    readonly LLamaWeights _weights;
    readonly int _threads;
    readonly LLamaBatch _batch = new();
    LLamaContext? _context;
    (int Sequences, int PerSequence, int Batch) _shape;

    public LlamaCppEngine(string modelPath, int threads)
    {
        LlamaCppLog.Configure();
        _threads = threads;
        _weights = LLamaWeights.LoadFromFile(new ModelParams(modelPath) { GpuLayerCount = 0 });
        VocabSize = _weights.Vocab.Count;
    }

    public string Name => "llama.cpp";

    public int VocabSize { get; }

    public TimeSpan Prefill(int[] prompt)
    {
        var handle = ContextFor(1, prompt.Length, prompt.Length).NativeHandle;
        _batch.Clear();
        for (var i = 0; i < prompt.Length; i++)
            _batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);

        var clock = Stopwatch.StartNew();
        Check(handle.Decode(_batch));
        _ = TensorPrimitives.IndexOfMax(handle.GetLogitsIth(prompt.Length - 1));
        return clock.Elapsed;
    }

    public TimeSpan Decode(int[] prompt, int sequences, int tokens)
    {
        var handle = ContextFor(sequences, prompt.Length + tokens, sequences * prompt.Length).NativeHandle;
        var next = new int[sequences];
        var rows = new int[sequences];

        // Untimed: every sequence gets the prompt, all in one batch.
        _batch.Clear();
        for (var s = 0; s < sequences; s++)
            for (var i = 0; i < prompt.Length; i++)
            {
                var row = _batch.Add(prompt[i], i, (LLamaSeqId)s, i == prompt.Length - 1);
                if (i == prompt.Length - 1) rows[s] = row;
            }
        Check(handle.Decode(_batch));
        PickNext(handle, rows, next);

        var clock = Stopwatch.StartNew();
        for (var step = 0; step < tokens; step++)
        {
            _batch.Clear();
            for (var s = 0; s < sequences; s++)
                rows[s] = _batch.Add(next[s], prompt.Length + step, (LLamaSeqId)s, true);
            Check(handle.Decode(_batch));
            PickNext(handle, rows, next);
        }
        return clock.Elapsed;
    }

    public void Reset() => _context?.NativeHandle.MemoryClear(true);

    public void Dispose()
    {
        _context?.Dispose();
        _weights.Dispose();
    }

    static void PickNext(SafeLLamaContextHandle handle, int[] rows, int[] next)
    {
        for (var s = 0; s < rows.Length; s++)
            next[s] = TensorPrimitives.IndexOfMax(handle.GetLogitsIth(rows[s]));
    }

    static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok)
            throw new InvalidOperationException($"llama_decode failed: {result}");
    }

    /// <summary>
    /// One context per batch shape: with a non-unified KV cache llama.cpp gives each of n_seq_max sequences
    /// n_ctx / n_seq_max cells, so a context sized for 32 short sequences cannot hold one 512-token prompt.
    /// Contexts are made outside the timed parts (the warm-up run pays for them).
    /// </summary>
    LLamaContext ContextFor(int sequences, int length, int batchTokens)
    {
        var perSequence = (length + ContextStep - 1) / ContextStep * ContextStep;
        var batch = Math.Max(MinBatch, batchTokens);
        var shape = (sequences, perSequence, batch);
        if (_context is not null && _shape == shape)
            return _context;

        _context?.Dispose();
        _context = null;
        _context = _weights.CreateContext(new ModelParams(string.Empty)
        {
            ContextSize = (uint)(sequences * perSequence),
            SeqMax = (uint)sequences,
            BatchSize = (uint)batch,
            UBatchSize = (uint)batch,
            Threads = _threads,
            BatchThreads = _threads,
            KVUnified = false,
            FlashAttention = null, // auto
        });
        _shape = shape;
        // A benchmark with the wrong thread count would be silently unfair, so check what llama.cpp took.
        if (_context.NativeHandle.GenerationThreads != _threads || _context.NativeHandle.BatchThreads != _threads)
            throw new InvalidOperationException($"llama.cpp runs {_context.NativeHandle.GenerationThreads}/{_context.NativeHandle.BatchThreads} threads, not {_threads}");
        return _context;
    }
}
