namespace Grid.Cuda.Backend;

/// <summary>Every kernel of CudaKernels/*.cu, compiled for one device's architecture and loaded, by name.</summary>
public sealed class KernelSet : IDisposable
{
    private readonly List<CudaModule> _modules;
    private readonly Dictionary<string, CudaKernel> _kernels;

    public KernelSet(IEnumerable<CudaModule> modules, IReadOnlyDictionary<string, CudaKernel> kernels)
    {
        _modules = [.. modules];
        _kernels = new Dictionary<string, CudaKernel>(kernels);
    }

    public CudaKernel this[string name] =>
        _kernels.TryGetValue(name, out var k) ? k : throw new KeyNotFoundException($"no kernel '{name}' in CudaKernels/*.cu (have: {string.Join(", ", _kernels.Keys.Order())})");

    public IReadOnlyCollection<string> Names => _kernels.Keys;

    public void Dispose()
    {
        foreach (var m in _modules) m.Dispose();
        _modules.Clear();
    }
}
