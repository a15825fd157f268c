using Grid.Engine.Models;

namespace Grid.Cuda.Backend;

/// <summary>
/// A model's weights made on the device from a seed (random.cu): BF16 matrices uniform in ±1/sqrt(fan-in)
/// so activations stay in range through the layers, norm weights 1. For benchmarks of shapes too big to
/// make on the host (Llama-3-8B: 16 GB).
/// </summary>
public static class RandomDeviceWeights
{
    public static DeviceWeights Create(CudaContext context, KernelSet kernels, ModelConfig c, ulong seed)
    {
        var fill = kernels["fill_random_bf16"];
        var ones = kernels["fill_f32"];
        var args = new KernelArguments();
        var owned = new List<IDisposable>();
        var next = seed;

        DeviceBuffer<ushort> Matrix(long rows, long cols)
        {
            var b = new DeviceBuffer<ushort>(context, rows * cols);
            owned.Add(b);
            fill.Launch(4096, 256, args.Clear().Add(b.Pointer).Add(rows * cols).Add(next++ * 0x632BE59BD9B4E019UL).Add(1f / MathF.Sqrt(cols)));
            return b;
        }

        DeviceBuffer<float> Ones(long n)
        {
            var b = new DeviceBuffer<float>(context, n);
            owned.Add(b);
            ones.Launch(Dim3.Cover(n, 256), 256, args.Clear().Add(b.Pointer).Add(n).Add(1f));
            return b;
        }

        var qkv = (c.Heads + 2 * c.KvHeads) * c.HeadDim;
        var embedding = Matrix(c.VocabSize, c.Dim);
        var layers = Enumerable.Range(0, c.Layers).Select(_ => new DeviceWeights.Layer(
            Ones(c.Dim), Matrix(qkv, c.Dim), null, Matrix(c.Dim, c.Heads * c.HeadDim), Ones(c.Dim),
            Matrix(2L * c.HiddenDim, c.Dim), Matrix(c.Dim, c.HiddenDim))).ToList();
        var finalNorm = Ones(c.Dim);
        var output = Matrix(c.VocabSize, c.Dim);
        context.Synchronize();
        return new DeviceWeights(embedding, finalNorm, output, layers, owned);
    }
}
