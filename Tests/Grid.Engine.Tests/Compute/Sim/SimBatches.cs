using Grid.Engine.Compute;

namespace Grid.Engine.Tests.Compute.Sim;

/// <summary>Batches for the simulated backend's tests, each sequence on its own run of block ids.</summary>
internal static class SimBatches
{
    public static int[] Table(int sequence, int blocks) => Enumerable.Range(sequence * blocks, blocks).ToArray();

    /// <summary>One token per sequence, all at <paramref name="position"/>, all wanting logits.</summary>
    public static ForwardBatch Decode(int sequences, int position, int blockSize = 16, int token = 100)
    {
        var batch = new ForwardBatch(sequences, sequences);
        var blocks = position / blockSize + 1;
        for (var s = 0; s < sequences; s++)
            batch.Add(batch.AddSequence(Table(s, blocks)), token + s, position, true);
        return batch;
    }

    /// <summary>A prompt of <paramref name="tokens"/> tokens from position 0, logits for the last.</summary>
    public static ForwardBatch Prefill(int tokens, int blockSize = 16)
    {
        var batch = new ForwardBatch(tokens, 1);
        var s = batch.AddSequence(Table(0, (tokens + blockSize - 1) / blockSize));
        for (var p = 0; p < tokens; p++) batch.Add(s, 1000 + p, p, p == tokens - 1);
        return batch;
    }
}
