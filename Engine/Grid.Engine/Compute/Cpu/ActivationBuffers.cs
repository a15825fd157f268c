using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>The forward pass's working memory, sized once for the largest batch.</summary>
internal sealed unsafe class ActivationBuffers : IDisposable
{
    private readonly List<NativeBuffer> _owned = [];

    public ActivationBuffers(ModelConfig c, int maxTokens, int workers)
    {
        X = Alloc((long)maxTokens * c.Dim);
        Xb = Alloc((long)maxTokens * Math.Max(c.Dim, c.HiddenDim));
        Qkv = Alloc((long)maxTokens * (c.Dim + 2 * c.KvDim));
        Att = Alloc((long)maxTokens * c.Dim);
        Ffn = Alloc((long)maxTokens * 2 * c.HiddenDim);
        Hb = Alloc((long)maxTokens * c.HiddenDim);
        Scratch = new float*[workers];
        Partial = new float*[workers];
        for (var w = 0; w < workers; w++)
        {
            Scratch[w] = Alloc((long)PackedMatrix.Panel * Math.Max(c.Dim, c.HiddenDim));
            Partial[w] = Alloc((long)PackedMatrix.Panel * maxTokens);
        }
    }

    /// <summary>The residual stream.</summary>
    public float* X { get; }

    /// <summary>Normalised input of a matrix product, or its output before the residual add.</summary>
    public float* Xb { get; }
    public float* Qkv { get; }
    public float* Att { get; }
    public float* Ffn { get; }
    public float* Hb { get; }

    /// <summary>Per worker: one panel widened to F32.</summary>
    public float*[] Scratch { get; }

    /// <summary>Per worker: the outputs of a matrix's last, partial panel before they are copied out.</summary>
    public float*[] Partial { get; }

    private float* Alloc(long floats)
    {
        var b = new NativeBuffer(floats * 4);
        _owned.Add(b);
        return (float*)b.Pointer;
    }

    public void Dispose()
    {
        foreach (var b in _owned) b.Dispose();
    }
}
