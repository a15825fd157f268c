using System.Text;
using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// A loaded CUBIN (cuModuleLoadData) and the kernels it holds. Prefer CUBIN for the device's own sm_XX over PTX:
/// the driver refuses PTX from an NVRTC newer than itself (CUDA_ERROR_UNSUPPORTED_PTX_VERSION).
/// Not thread-safe (its kernel cache is a plain dictionary): a module belongs to one engine thread.
/// </summary>
public sealed unsafe class CudaModule : IDisposable
{
    private readonly CudaContext context;
    private readonly Dictionary<string, CudaKernel> kernels = new(StringComparer.Ordinal);
    private bool disposed;

    private CudaModule(CudaContext context, nint handle)
    {
        this.context = context;
        Handle = handle;
    }

    public nint Handle { get; }

    /// <summary>Loads a CUBIN image into the context current on this thread.</summary>
    public static CudaModule Load(CudaContext context, ReadOnlySpan<byte> cubin)
    {
        nint handle;
        fixed (byte* p = cubin) Check.Driver(DriverApi.cuModuleLoadData(&handle, p));
        return new CudaModule(context, handle);
    }

    public static CudaModule Load(CudaContext context, CompiledModule compiled) => Load(context, compiled.Cubin);

    /// <summary>The <c>extern "C"</c> kernel of that name (looked up once, then cached).</summary>
    public CudaKernel Kernel(string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (kernels.TryGetValue(name, out var kernel)) return kernel;
        var utf8 = Encoding.UTF8.GetBytes(name + "\0");
        nint function;
        fixed (byte* p = utf8)
        {
            var result = DriverApi.cuModuleGetFunction(&function, Handle, p);
            if (result != CuResult.CUDA_SUCCESS) throw CudaException.FromDriver($"cuModuleGetFunction({name})", result);
        }
        return kernels[name] = new CudaKernel(name, function);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        context.MakeCurrent();
        Check.Driver(DriverApi.cuModuleUnload(Handle));
    }
}
