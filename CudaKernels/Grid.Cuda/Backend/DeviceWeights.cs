using Grid.Engine.Models;

namespace Grid.Cuda.Backend;

/// <summary>
/// The model's weights in device memory, uploaded once: matrices in BF16 with the ones a GEMM reads
/// together stacked (Q/K/V, gate/up), norm weights and biases in F32.
/// </summary>
public sealed class DeviceWeights : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public DeviceWeights(CudaContext context, Model model)
    {
        var w = model.Weights;
        Embedding = Bf16Matrix(context, w.TokenEmbedding);
        FinalNorm = F32(context, WeightStaging.Vector(w.FinalNorm));
        Output = w.TiedOutput ? Embedding : Bf16Matrix(context, w.Output);
        Layers = w.Layers.Select(l => new Layer(
            F32(context, WeightStaging.Vector(l.AttnNorm)),
            Bf16(context, WeightStaging.StackBf16(l.Wq, l.Wk, l.Wv)),
            l.Bq is null ? null : F32(context, [.. WeightStaging.Vector(l.Bq), .. WeightStaging.Vector(l.Bk!), .. WeightStaging.Vector(l.Bv!)]),
            Bf16Matrix(context, l.Wo),
            F32(context, WeightStaging.Vector(l.FfnNorm)),
            Bf16(context, WeightStaging.StackBf16(l.Gate, l.Up)),
            Bf16Matrix(context, l.Down))).ToList();
    }

    /// <summary>Weights given already on the device (the benchmark fills them with random values there).</summary>
    public DeviceWeights(DeviceBuffer<ushort> embedding, DeviceBuffer<float> finalNorm, DeviceBuffer<ushort> output, IReadOnlyList<Layer> layers, IEnumerable<IDisposable> owned)
    {
        Embedding = embedding;
        FinalNorm = finalNorm;
        Output = output;
        Layers = layers;
        _owned.AddRange(owned);
    }

    public DeviceBuffer<ushort> Embedding { get; }
    public DeviceBuffer<float> FinalNorm { get; }
    public DeviceBuffer<ushort> Output { get; }
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>One layer: Wqkv is [(heads + 2 kv heads) x head dim][dim], Wgu [2 hidden][dim] (gate rows, then up).</summary>
    public sealed record Layer(
        DeviceBuffer<float> AttnNorm,
        DeviceBuffer<ushort> Wqkv,
        DeviceBuffer<float>? Bqkv,
        DeviceBuffer<ushort> Wo,
        DeviceBuffer<float> FfnNorm,
        DeviceBuffer<ushort> Wgu,
        DeviceBuffer<ushort> Wdown);

    private DeviceBuffer<ushort> Bf16Matrix(CudaContext context, WeightTensor t) => Bf16(context, WeightStaging.StackBf16(t));

    private DeviceBuffer<ushort> Bf16(CudaContext context, ushort[] values)
    {
        var buffer = new DeviceBuffer<ushort>(context, values.Length);
        _owned.Add(buffer);
        buffer.Upload(values);
        return buffer;
    }

    private DeviceBuffer<float> F32(CudaContext context, float[] values)
    {
        var buffer = new DeviceBuffer<float>(context, values.Length);
        _owned.Add(buffer);
        buffer.Upload(values);
        return buffer;
    }

    public void Dispose()
    {
        foreach (var o in _owned) o.Dispose();
        _owned.Clear();
    }
}
