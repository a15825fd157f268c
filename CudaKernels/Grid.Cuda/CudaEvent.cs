using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>A CUDA event: a marker in a stream that other streams can wait for, and a device-side timer.</summary>
public sealed unsafe class CudaEvent : IDisposable
{
    private const uint DisableTimingFlag = 2; // CU_EVENT_DISABLE_TIMING: cheaper when only used for ordering
    private readonly CudaContext context;
    private bool disposed;

    public CudaEvent(CudaContext context, bool timing = true)
    {
        this.context = context;
        nint handle;
        Check.Driver(DriverApi.cuEventCreate(&handle, timing ? 0 : DisableTimingFlag));
        Handle = handle;
    }

    public nint Handle { get; }

    /// <summary>Places the marker after the work queued so far on <paramref name="stream"/>.</summary>
    public void Record(CudaStream? stream = null) => Check.Driver(DriverApi.cuEventRecord(Handle, CudaStream.HandleOf(stream)));

    public void Synchronize() => Check.Driver(DriverApi.cuEventSynchronize(Handle));

    /// <summary>Milliseconds from <paramref name="start"/> to this event (both recorded and complete, both timing).</summary>
    public float ElapsedMillisecondsSince(CudaEvent start)
    {
        float ms;
        Check.Driver(DriverApi.cuEventElapsedTime(&ms, start.Handle, Handle));
        return ms;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        context.MakeCurrent();
        Check.Driver(DriverApi.cuEventDestroy_v2(Handle));
    }
}
