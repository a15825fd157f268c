using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// Page-locked host memory (cuMemHostAlloc): the only host memory the copy engines read and write without a
/// staging copy, so the only kind an asynchronous copy may use. Pinning is costly; allocate once and reuse.
/// </summary>
public sealed unsafe class PinnedHostBuffer<T> : IDisposable where T : unmanaged
{
    private readonly CudaContext context;
    private bool disposed;

    public PinnedHostBuffer(CudaContext context, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        this.context = context;
        Length = length;
        void* pointer;
        Check.Driver(DriverApi.cuMemHostAlloc(&pointer, (nuint)((long)length * sizeof(T)), 0));
        Pointer = (T*)pointer;
    }

    public int Length { get; }
    public T* Pointer { get; }

    /// <summary>The memory as a span; do not write it while an asynchronous copy from it is still queued.</summary>
    public Span<T> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return new Span<T>(Pointer, Length);
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        context.MakeCurrent();
        Check.Driver(DriverApi.cuMemFreeHost(Pointer));
    }
}
