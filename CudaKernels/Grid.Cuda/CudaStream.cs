using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// A CUDA stream: work on one stream runs in order, work on different streams may overlap (how nano-batches
/// overlap). Where a method takes a null stream it means the legacy default stream, which waits for every
/// blocking stream; a non-blocking stream does not wait for it, so synchronise it before a synchronous copy
/// reads what it wrote.
/// </summary>
public sealed unsafe class CudaStream : IDisposable
{
    private const uint NonBlockingFlag = 1; // CU_STREAM_NON_BLOCKING
    private readonly CudaContext context;
    private bool disposed;

    public CudaStream(CudaContext context, bool nonBlocking = false)
    {
        this.context = context;
        nint handle;
        Check.Driver(DriverApi.cuStreamCreate(&handle, nonBlocking ? NonBlockingFlag : 0));
        Handle = handle;
    }

    public nint Handle { get; }

    /// <summary>Blocks the calling thread until the stream's work is done.</summary>
    public void Synchronize() => Check.Driver(DriverApi.cuStreamSynchronize(Handle));

    /// <summary>Later work on this stream waits (on the device) until <paramref name="event"/> has happened.</summary>
    public void Wait(CudaEvent @event) => Check.Driver(DriverApi.cuStreamWaitEvent(Handle, @event.Handle, 0));

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        context.MakeCurrent();
        Check.Driver(DriverApi.cuStreamDestroy_v2(Handle));
    }

    internal static nint HandleOf(CudaStream? stream) => stream?.Handle ?? 0;
}
