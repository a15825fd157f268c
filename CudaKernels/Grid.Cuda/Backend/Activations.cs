using Grid.Engine.Models;

namespace Grid.Cuda.Backend;

/// <summary>
/// A step's working memory on the device, sized once for the most tokens a step takes. Nano-batches use
/// disjoint row ranges of the same buffers, so pipelining needs no extra memory.
/// </summary>
public sealed class Activations : IDisposable
{
    public Activations(CudaContext c, ModelConfig m, int maxTokens, int maxSequences, int maxBlocksPerSequence, int maxPartitions)
    {
        QkvDim = (m.Heads + 2 * m.KvHeads) * m.HeadDim;
        MaxPartitions = maxPartitions;
        X = new DeviceBuffer<float>(c, (long)maxTokens * m.Dim);
        H = new DeviceBuffer<ushort>(c, (long)maxTokens * m.Dim);
        G = new DeviceBuffer<ushort>(c, (long)maxTokens * m.HiddenDim);
        Qkv = new DeviceBuffer<float>(c, (long)maxTokens * QkvDim);
        Attn = new DeviceBuffer<ushort>(c, (long)maxTokens * m.Heads * m.HeadDim);
        GateUp = new DeviceBuffer<float>(c, (long)maxTokens * 2 * m.HiddenDim);
        PartOut = new DeviceBuffer<float>(c, (long)maxTokens * m.Heads * maxPartitions * m.HeadDim);
        PartMax = new DeviceBuffer<float>(c, (long)maxTokens * m.Heads * maxPartitions);
        PartSum = new DeviceBuffer<float>(c, (long)maxTokens * m.Heads * maxPartitions);
        Logits = new DeviceBuffer<float>(c, (long)maxTokens * m.VocabSize);
        Tokens = new DeviceBuffer<int>(c, maxTokens);
        Positions = new DeviceBuffer<int>(c, maxTokens);
        TokenSequence = new DeviceBuffer<int>(c, maxTokens);
        Slots = new DeviceBuffer<int>(c, maxTokens);
        LogitRows = new DeviceBuffer<int>(c, maxTokens);
        BlockTables = new DeviceBuffer<int>(c, (long)maxSequences * maxBlocksPerSequence);
    }

    public int QkvDim { get; }
    public int MaxPartitions { get; }
    public DeviceBuffer<float> X { get; }
    /// <summary>Normalised rows (GEMM input), BF16 [tokens][dim].</summary>
    public DeviceBuffer<ushort> H { get; }

    /// <summary>SwiGLU output (down projection input), BF16 [tokens][hidden]: apart from H, as nano-batches run side by side.</summary>
    public DeviceBuffer<ushort> G { get; }
    public DeviceBuffer<float> Qkv { get; }
    public DeviceBuffer<ushort> Attn { get; }
    public DeviceBuffer<float> GateUp { get; }
    public DeviceBuffer<float> PartOut { get; }
    public DeviceBuffer<float> PartMax { get; }
    public DeviceBuffer<float> PartSum { get; }
    public DeviceBuffer<float> Logits { get; }
    public DeviceBuffer<int> Tokens { get; }
    public DeviceBuffer<int> Positions { get; }
    public DeviceBuffer<int> TokenSequence { get; }
    public DeviceBuffer<int> Slots { get; }
    public DeviceBuffer<int> LogitRows { get; }
    public DeviceBuffer<int> BlockTables { get; }

    /// <summary>Device bytes these buffers take, to size the KV pool from what is left.</summary>
    public static long Bytes(ModelConfig m, int maxTokens, int maxSequences, int maxBlocksPerSequence, int maxPartitions)
    {
        long t = maxTokens;
        var qkv = (m.Heads + 2 * m.KvHeads) * m.HeadDim;
        return t * m.Dim * 4 + t * (m.Dim + m.HiddenDim) * 2 + t * qkv * 4 + t * m.Heads * m.HeadDim * 2 + t * 2 * m.HiddenDim * 4
            + t * m.Heads * maxPartitions * (m.HeadDim + 2) * 4 + t * m.VocabSize * 4 + t * 5 * 4 + (long)maxSequences * maxBlocksPerSequence * 4;
    }

    public void Dispose()
    {
        foreach (var b in new IDisposable[] { X, H, G, Qkv, Attn, GateUp, PartOut, PartMax, PartSum, Logits, Tokens, Positions, TokenSequence, Slots, LogitRows, BlockTables })
            b.Dispose();
    }
}
