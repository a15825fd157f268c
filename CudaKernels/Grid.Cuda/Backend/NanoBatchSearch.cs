using System.Diagnostics;
using Grid.Engine.Compute;

namespace Grid.Cuda.Backend;

/// <summary>
/// NanoFlow's start-up search, small: times a full decode step (the backend's most sequences, each one token
/// deep into the context) with 1, 2 and 4 nano-batches and keeps the fastest. The step writes throwaway KV
/// into the first blocks of a pool that holds nothing yet.
/// </summary>
public static class NanoBatchSearch
{
    public static readonly int[] Candidates = [1, 2, 4];

    public static int Pick(CudaBackend backend, int sequences, int position = 1023, int repeats = 3)
    {
        var (batch, logits) = DecodeBatch(backend, sequences, position);
        var best = (Count: 1, Seconds: double.MaxValue);
        foreach (var count in Candidates)
        {
            backend.NanoBatchCount = count;
            backend.Forward(batch, logits);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < repeats; i++) backend.Forward(batch, logits);
            var seconds = clock.Elapsed.TotalSeconds / repeats;
            if (seconds < best.Seconds) best = (count, seconds);
        }
        return best.Count;
    }

    /// <summary>A decode batch of <paramref name="sequences"/> sequences at <paramref name="position"/>, all reading the pool's first blocks.</summary>
    public static (ForwardBatch Batch, float[] Logits) DecodeBatch(IComputeBackend backend, int sequences, int position)
    {
        sequences = Math.Min(sequences, backend.MaxBatchTokens);
        position = Math.Min(position, Math.Min(backend.Config.ContextLength, backend.BlockCount * backend.BlockSize) - 1);
        var table = Enumerable.Range(0, position / backend.BlockSize + 1).ToArray();
        var batch = new ForwardBatch(sequences, sequences);
        for (var s = 0; s < sequences; s++) batch.Add(batch.AddSequence(table), s % backend.Config.VocabSize, position, wantLogits: true);
        return (batch, new float[(long)sequences * backend.Config.VocabSize]);
    }
}
