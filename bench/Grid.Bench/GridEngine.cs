using System.Diagnostics;
using System.Numerics.Tensors;
using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;

namespace Grid.Bench;

/// <summary>Grid's CPU backend driven directly, batch by batch, as llama.cpp is driven through llama_decode.</summary>
public sealed class GridEngine : IBenchEngine
{
    private const int MaxSequences = 32;
    private const int TokensPerSequence = 256; // as many KV cells per sequence as the llama.cpp side gets

    private readonly Model _model;
    private readonly CpuBackend _backend;
    private readonly ForwardBatch _batch;
    private readonly float[] _logits;
    private readonly int _vocab;

    public GridEngine(string path, int threads)
    {
        _model = ModelLoader.Load(path);
        var blockSize = 16;
        var blocks = Math.Max(MaxSequences * TokensPerSequence, 512) / blockSize;
        _backend = new CpuBackend(_model, new CpuBackendOptions { BlockCount = blocks, BlockSize = blockSize, MaxBatchTokens = 512, Threads = threads });
        _vocab = _model.Config.VocabSize;
        _batch = new ForwardBatch(512, MaxSequences);
        _logits = new float[MaxSequences * _vocab];
    }

    public string Name => BenchEngines.Grid;

    public TimeSpan Prefill(int[] prompt)
    {
        var table = Table(0, prompt.Length + 1);
        _batch.Clear();
        _batch.AddSequence(table);
        for (var p = 0; p < prompt.Length; p++) _batch.Add(0, prompt[p], p, p == prompt.Length - 1);
        var clock = Stopwatch.StartNew();
        _backend.Forward(_batch, _logits);
        TensorPrimitives.IndexOfMax(_logits.AsSpan(0, _vocab));
        return clock.Elapsed;
    }

    public TimeSpan Decode(int[] prompt, int sequences, int tokens)
    {
        if (sequences > MaxSequences) throw new ArgumentException($"at most {MaxSequences} sequences");
        if (prompt.Length + tokens > TokensPerSequence) throw new ArgumentException($"at most {TokensPerSequence} tokens per sequence");
        var tables = Enumerable.Range(0, sequences).Select(s => Table(s, TokensPerSequence)).ToArray();
        var next = new int[sequences];
        for (var s = 0; s < sequences; s++)
        {
            _batch.Clear();
            _batch.AddSequence(tables[s]);
            for (var p = 0; p < prompt.Length; p++) _batch.Add(0, prompt[p], p, p == prompt.Length - 1);
            _backend.Forward(_batch, _logits);
            next[s] = TensorPrimitives.IndexOfMax(_logits.AsSpan(0, _vocab));
        }

        var clock = Stopwatch.StartNew();
        for (var step = 0; step < tokens; step++)
        {
            _batch.Clear();
            for (var s = 0; s < sequences; s++)
            {
                _batch.AddSequence(tables[s]);
                _batch.Add(s, next[s], prompt.Length + step, true);
            }
            _backend.Forward(_batch, _logits);
            for (var s = 0; s < sequences; s++) next[s] = TensorPrimitives.IndexOfMax(_logits.AsSpan(s * _vocab, _vocab));
        }
        return clock.Elapsed;
    }

    /// <summary>Sequence s owns a fixed run of blocks; the KV pool needs no clearing between runs.</summary>
    private int[] Table(int sequence, int tokens)
    {
        var per = TokensPerSequence / _backend.BlockSize;
        var count = (tokens + _backend.BlockSize - 1) / _backend.BlockSize;
        if (count > _backend.BlockCount) throw new ArgumentException($"{tokens} tokens need {count} KV blocks; the pool has {_backend.BlockCount}");
        return Enumerable.Range(sequence * per, count).ToArray();
    }

    public void Reset()
    {
    }

    public void Dispose()
    {
        _backend.Dispose();
        _model.Dispose();
    }
}
