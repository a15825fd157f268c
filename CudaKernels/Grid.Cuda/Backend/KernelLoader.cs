namespace Grid.Cuda.Backend;

/// <summary>Compiles every CudaKernels/*.cu for the context's device (cached per source and architecture) and loads them.</summary>
public static class KernelLoader
{
    public static KernelSet Load(CudaContext context, string? cacheDirectory)
    {
        var compiler = KernelSources.Compiler(cacheDirectory);
        var architecture = context.Device.Architecture;
        var modules = new List<CudaModule>();
        var kernels = new Dictionary<string, CudaKernel>();
        try
        {
            foreach (var file in KernelSources.Files())
            {
                var compiled = compiler.CompileFile(file, architecture);
                var module = CudaModule.Load(context, compiled);
                modules.Add(module);
                foreach (var name in compiled.Kernels)
                {
                    // One name, one kernel: a second definition would make which one runs depend on file order.
                    if (!kernels.TryAdd(name, module.Kernel(name)))
                        throw new InvalidOperationException($"kernel '{name}' is defined twice in CudaKernels (again in {Path.GetFileName(file)})");
                }
            }
        }
        catch
        {
            foreach (var m in modules) m.Dispose();
            throw;
        }
        return new KernelSet(modules, kernels);
    }
}
