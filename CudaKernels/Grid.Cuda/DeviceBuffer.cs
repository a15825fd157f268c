using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// A typed block of device memory (cuMemAlloc_v2). Synchronous copies take any span; asynchronous ones take only
/// a <see cref="PinnedHostBuffer{T}"/>, because the driver reads pageable memory synchronously through a staging
/// buffer and, worse, a managed array could move or be collected while the copy is still queued.
/// </summary>
public sealed unsafe class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    private readonly CudaContext context;
    private bool disposed;

    public DeviceBuffer(CudaContext context, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        this.context = context;
        Length = length;
        // cuMemAlloc refuses zero bytes; an empty buffer is a null pointer that no copy touches.
        if (length == 0) return;
        ulong pointer;
        Check.Driver(DriverApi.cuMemAlloc_v2(&pointer, (nuint)ByteLength));
        Pointer = pointer;
    }

    public long Length { get; }
    public long ByteLength => Length * sizeof(T);
    /// <summary>The device address (CUdeviceptr), as a kernel argument or a cuBLAS operand.</summary>
    public ulong Pointer { get; }

    /// <summary>The device address of element <paramref name="index"/> (for sub-ranges such as a column block).</summary>
    public ulong ElementPointer(long index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((ulong)index, (ulong)Length, nameof(index));
        return Pointer + (ulong)(index * sizeof(T));
    }

    /// <summary>Copies <paramref name="source"/> to elements [offset, offset + source.Length).</summary>
    public void Upload(ReadOnlySpan<T> source, long offset = 0)
    {
        var bytes = Range(offset, source.Length);
        if (bytes == 0) return;
        fixed (T* p = source) Check.Driver(DriverApi.cuMemcpyHtoD_v2(ElementPointer(offset), p, bytes));
    }

    /// <summary>Copies elements [offset, offset + destination.Length) into <paramref name="destination"/>.</summary>
    public void Download(Span<T> destination, long offset = 0)
    {
        var bytes = Range(offset, destination.Length);
        if (bytes == 0) return;
        fixed (T* p = destination) Check.Driver(DriverApi.cuMemcpyDtoH_v2(p, ElementPointer(offset), bytes));
    }

    /// <summary>Queues a copy of source[0, count) to elements [offset, offset + count); count -1: all of source.</summary>
    public void UploadAsync(PinnedHostBuffer<T> source, CudaStream? stream, long offset = 0, long count = -1)
    {
        count = count < 0 ? source.Length : count;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, source.Length, nameof(count));
        var bytes = Range(offset, count);
        if (bytes == 0) return;
        Check.Driver(DriverApi.cuMemcpyHtoDAsync_v2(ElementPointer(offset), source.Pointer, bytes, CudaStream.HandleOf(stream)));
    }

    /// <summary>
    /// Queues a copy of elements [offset, offset + count) to destination[destinationOffset, destinationOffset + count);
    /// count -1: all of destination from destinationOffset.
    /// </summary>
    public void DownloadAsync(PinnedHostBuffer<T> destination, CudaStream? stream, long offset = 0, long count = -1, long destinationOffset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(destinationOffset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(destinationOffset, destination.Length, nameof(destinationOffset));
        count = count < 0 ? destination.Length - destinationOffset : count;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, destination.Length - destinationOffset, nameof(count));
        var bytes = Range(offset, count);
        if (bytes == 0) return;
        Check.Driver(DriverApi.cuMemcpyDtoHAsync_v2(destination.Pointer + destinationOffset, ElementPointer(offset), bytes, CudaStream.HandleOf(stream)));
    }

    /// <summary>Copies all of <paramref name="source"/> to the start of this buffer, on the device.</summary>
    public void CopyFrom(DeviceBuffer<T> source, CudaStream? stream = null)
    {
        var bytes = Range(0, source.Length);
        if (bytes == 0) return;
        if (stream is null) Check.Driver(DriverApi.cuMemcpyDtoD_v2(Pointer, source.Pointer, bytes));
        else Check.Driver(DriverApi.cuMemcpyDtoDAsync_v2(Pointer, source.Pointer, bytes, stream.Handle));
    }

    /// <summary>Sets every byte to zero (synchronously without a stream, queued with one).</summary>
    public void Clear(CudaStream? stream = null)
    {
        if (Length == 0) return;
        if (stream is null) Check.Driver(DriverApi.cuMemsetD8_v2(Pointer, 0, (nuint)ByteLength));
        else Check.Driver(DriverApi.cuMemsetD8Async(Pointer, 0, (nuint)ByteLength, stream.Handle));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (Pointer == 0) return;
        context.MakeCurrent();
        Check.Driver(DriverApi.cuMemFree_v2(Pointer));
    }

    /// <summary>Checks [offset, offset + count) lies inside the buffer; returns its size in bytes.</summary>
    private nuint Range(long offset, long count)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length - offset, nameof(count));
        return (nuint)(count * sizeof(T));
    }
}
