using System.Runtime.CompilerServices;

namespace Grid.Cuda;

/// <summary>
/// A reusable argument block for <see cref="CudaKernel.Launch"/>: cuLaunchKernel takes a <c>void**</c>, one pointer
/// per kernel parameter, each to a value of exactly the parameter's size (device pointers 8 bytes, int and float 4:
/// pass a float, not a double, and an int, not a long). The driver copies the values at launch, so the block can
/// be cleared and refilled for the next launch at once. Its memory sits on the pinned object heap, allocated once,
/// so a launch allocates nothing. One per thread: it is not thread-safe.
/// </summary>
public sealed unsafe class KernelArguments
{
    /// <summary>At most this many parameters (the contract's largest kernel has 19).</summary>
    public const int MaxArguments = 64;

    /// <summary>Bytes for the values: 64 arguments of up to 8 bytes, or fewer larger ones.</summary>
    public const int ValueBytes = MaxArguments * 8;

    private readonly byte[] values = GC.AllocateArray<byte>(ValueBytes, pinned: true);
    private readonly nint[] pointers = GC.AllocateArray<nint>(MaxArguments, pinned: true);
    private readonly int[] sizes = new int[MaxArguments];
    private int used;

    public int Count { get; private set; }

    /// <summary>The size in bytes of argument <paramref name="index"/>, as the kernel will read it.</summary>
    public int SizeOf(int index) => index < Count ? sizes[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The value of argument <paramref name="index"/> read back as <typeparamref name="T"/>.</summary>
    public T ValueOf<T>(int index) where T : unmanaged =>
        SizeOf(index) == sizeof(T) ? *(T*)pointers[index] : throw new ArgumentException($"argument {index} holds {sizes[index]} bytes, not {sizeof(T)}");

    /// <summary>Starts a new argument list (the previous launch has already copied its values).</summary>
    public KernelArguments Clear()
    {
        Count = 0;
        used = 0;
        return this;
    }

    /// <summary>Appends one value, kept at its natural alignment.</summary>
    public KernelArguments Add<T>(T value) where T : unmanaged
    {
        var size = sizeof(T);
        var align = Math.Min(size & -size, 16); // lowest set bit: 1, 2, 4, 8 or 16
        var offset = (used + align - 1) & -align;
        if (Count == MaxArguments || offset + size > ValueBytes)
            throw new InvalidOperationException($"a kernel launch takes at most {MaxArguments} arguments and {ValueBytes} bytes here");
        var slot = (byte*)Unsafe.AsPointer(ref values[offset]);
        Unsafe.WriteUnaligned(slot, value);
        pointers[Count] = (nint)slot;
        sizes[Count++] = size;
        used = offset + size;
        return this;
    }

    /// <summary>Appends a device buffer's address (a 64-bit pointer argument).</summary>
    public KernelArguments Add<T>(DeviceBuffer<T> buffer) where T : unmanaged => Add(buffer.Pointer);

    /// <summary>The <c>void**</c> for cuLaunchKernel; the array is pinned, so the address is stable.</summary>
    internal void** Pointers => (void**)Unsafe.AsPointer(ref pointers[0]);
}
