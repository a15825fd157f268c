using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// The paged KV cache in host memory, all allocated up front, laid out [layer][block][KV head] with
/// one contiguous run per (block, head): K transposed ([dimension][slot], so attention scores a
/// block's slots as one vector per dimension, with no horizontal sums), then V ([slot][dimension]).
/// An attention item thus streams one unbroken run per block, which the prefetcher follows.
/// </summary>
internal sealed unsafe class KvPool : IDisposable
{
    private readonly NativeBuffer _buffer;
    private readonly long _headFloats;
    private readonly long _blockFloats;

    public KvPool(ModelConfig config, int blockCount, int blockSize)
    {
        if (blockCount < 1) throw new ArgumentOutOfRangeException(nameof(blockCount), "at least one KV block");
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), "at least one token per KV block");
        BlockCount = blockCount;
        BlockSize = blockSize;
        HeadDim = config.HeadDim;
        KvHeads = config.KvHeads;
        Layers = config.Layers;
        _headFloats = 2L * HeadDim * blockSize;
        _blockFloats = _headFloats * KvHeads;
        _buffer = new NativeBuffer(Layers * blockCount * _blockFloats * 4);
    }

    public int BlockCount { get; }
    public int BlockSize { get; }
    public int HeadDim { get; }
    public int KvHeads { get; }
    public int Layers { get; }
    public long Bytes => _buffer.Length;

    /// <summary>K of one head in one block: dimension d of slot j at [d * BlockSize + j].</summary>
    public float* K(int layer, int block, int head) =>
        (float*)_buffer.Pointer + ((long)layer * BlockCount + block) * _blockFloats + head * _headFloats;

    /// <summary>V of one head in one block: slot j's vector at [j * HeadDim].</summary>
    public float* V(int layer, int block, int head) => K(layer, block, head) + (long)HeadDim * BlockSize;

    /// <summary>Writes one token's K and V (all heads, side by side as the projection produced them) into its slot.</summary>
    public void Store(int layer, int block, int slot, float* k, float* v)
    {
        for (var h = 0; h < KvHeads; h++)
        {
            var kh = K(layer, block, h);
            for (var d = 0; d < HeadDim; d++) kh[(long)d * BlockSize + slot] = k[h * HeadDim + d];
            var bytes = HeadDim * sizeof(float);
            Buffer.MemoryCopy(v + h * HeadDim, V(layer, block, h) + (long)slot * HeadDim, bytes, bytes);
        }
    }

    public void Dispose() => _buffer.Dispose();
}
