using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// The paged KV cache in host memory: for each layer, K and V of every block, laid out
/// [layer][block][slot][kvDim], all allocated up front.
/// </summary>
internal sealed unsafe class KvPool : IDisposable
{
    private readonly NativeBuffer _k;
    private readonly NativeBuffer _v;

    public KvPool(ModelConfig config, int blockCount, int blockSize)
    {
        if (blockCount < 1) throw new ArgumentOutOfRangeException(nameof(blockCount), "at least one KV block");
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), "at least one token per KV block");
        BlockCount = blockCount;
        BlockSize = blockSize;
        KvDim = config.KvDim;
        Layers = config.Layers;
        var floats = (long)Layers * blockCount * blockSize * KvDim;
        _k = new NativeBuffer(floats * 4);
        _v = new NativeBuffer(floats * 4);
    }

    public int BlockCount { get; }
    public int BlockSize { get; }
    public int KvDim { get; }
    public int Layers { get; }
    public long Bytes => _k.Length + _v.Length;

    /// <summary>K of slot 0 of <paramref name="block"/> in <paramref name="layer"/>; slots follow at KvDim strides.</summary>
    public float* K(int layer, int block) => (float*)_k.Pointer + ((long)layer * BlockCount + block) * BlockSize * KvDim;

    public float* V(int layer, int block) => (float*)_v.Pointer + ((long)layer * BlockCount + block) * BlockSize * KvDim;

    public void Dispose()
    {
        _k.Dispose();
        _v.Dispose();
    }
}
