using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>The model's matrices repacked for the CPU kernels (Q, K, V stacked; gate and up stacked) and its vectors as F32.</summary>
internal sealed unsafe class CpuWeights : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public CpuWeights(Model model)
    {
        var w = model.Weights;
        Layers = w.Layers.Select(l => new Layer(
            Vector(l.AttnNorm),
            Pack(l.Wq, l.Wk, l.Wv),
            l.Bq is null ? null : Stack(l.Bq, l.Bk!, l.Bv!),
            Pack(l.Wo),
            Vector(l.FfnNorm),
            Pack(l.Gate, l.Up),
            Pack(l.Down))).ToArray();
        FinalNorm = Vector(w.FinalNorm);
        Output = Pack(w.Output);
        BytesPerToken = Layers.Sum(l => l.Qkv.Bytes + l.Wo.Bytes + l.GateUp.Bytes + l.Down.Bytes) + Output.Bytes;
    }

    public sealed class Layer(float* attnNorm, PackedMatrix qkv, float* qkvBias, PackedMatrix wo, float* ffnNorm, PackedMatrix gateUp, PackedMatrix down)
    {
        public float* AttnNorm { get; } = attnNorm;
        public PackedMatrix Qkv { get; } = qkv;

        /// <summary>Q, K and V biases side by side, or null.</summary>
        public float* QkvBias { get; } = qkvBias;
        public PackedMatrix Wo { get; } = wo;
        public float* FfnNorm { get; } = ffnNorm;
        public PackedMatrix GateUp { get; } = gateUp;
        public PackedMatrix Down { get; } = down;
    }

    public Layer[] Layers { get; }
    public float* FinalNorm { get; }
    public PackedMatrix Output { get; }
    public long BytesPerToken { get; }

    private PackedMatrix Pack(params WeightTensor[] parts)
    {
        var m = new PackedMatrix(parts);
        _owned.Add(m);
        return m;
    }

    /// <summary>Vectors (norm weights, biases) as one F32 buffer, whatever their storage type.</summary>
    private float* Stack(params WeightTensor[] parts)
    {
        var buffer = new NativeBuffer(parts.Sum(p => (long)p.Cols) * 4);
        _owned.Add(buffer);
        var dst = buffer.AsSpan<float>();
        var offset = 0;
        foreach (var p in parts)
        {
            p.DequantizeRow(0, dst.Slice(offset, p.Cols));
            offset += p.Cols;
        }
        return (float*)buffer.Pointer;
    }

    private float* Vector(WeightTensor t) => Stack(t);

    public void Dispose()
    {
        foreach (var o in _owned) o.Dispose();
    }
}
