using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// A device's primary context (retained, released on dispose): the one context per device that the runtime API
/// and cuBLAS share. CUDA's current context is per thread: every thread that touches CUDA must call
/// <see cref="MakeCurrent"/> first, thread-pool threads and continuations included. The other safe types assume
/// it is current on the calling thread, except their Dispose, which makes it current itself because disposal can
/// happen on any thread.
/// </summary>
public sealed unsafe class CudaContext : IDisposable
{
    private bool disposed;

    private CudaContext(CudaDevice device, nint handle)
    {
        Device = device;
        Handle = handle;
    }

    public CudaDevice Device { get; }
    public nint Handle { get; }

    /// <summary>Retains the device's primary context and makes it current on the calling thread.</summary>
    public static CudaContext RetainPrimary(CudaDevice device)
    {
        nint handle;
        Check.Driver(DriverApi.cuDevicePrimaryCtxRetain(&handle, device.Handle));
        var context = new CudaContext(device, handle);
        context.MakeCurrent();
        return context;
    }

    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Check.Driver(DriverApi.cuCtxSetCurrent(Handle));
    }

    /// <summary>Waits for all work on every stream; where an earlier kernel failed, its error surfaces here.</summary>
    public void Synchronize() => Check.Driver(DriverApi.cuCtxSynchronize());

    /// <summary>Free and total device memory in bytes.</summary>
    public (long Free, long Total) MemoryInfo()
    {
        nuint free, total;
        Check.Driver(DriverApi.cuMemGetInfo_v2(&free, &total));
        return ((long)free, (long)total);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Check.Driver(DriverApi.cuDevicePrimaryCtxRelease_v2(Device.Handle));
    }
}
