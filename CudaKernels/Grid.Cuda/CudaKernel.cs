using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>One kernel (CUfunction) of a loaded module.</summary>
public sealed unsafe class CudaKernel
{
    internal CudaKernel(string name, nint handle)
    {
        Name = name;
        Handle = handle;
    }

    public string Name { get; }
    public nint Handle { get; }

    /// <summary>How many blocks of <paramref name="blockSize"/> threads one SM holds at once (registers, shared memory, launch bounds).</summary>
    public int MaxActiveBlocksPerMultiprocessor(int blockSize, int dynamicSharedBytes = 0)
    {
        int blocks;
        var result = DriverApi.cuOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, Handle, blockSize, (nuint)dynamicSharedBytes);
        if (result != CuResult.CUDA_SUCCESS) throw CudaException.FromDriver($"cuOccupancyMaxActiveBlocksPerMultiprocessor({Name})", result);
        return blocks;
    }

    /// <summary>
    /// Queues the kernel. Launch errors (bad dimensions, too many resources) throw here; faults while it runs
    /// (an illegal address) surface at the next synchronisation.
    /// </summary>
    public void Launch(Dim3 grid, Dim3 block, KernelArguments arguments, CudaStream? stream = null, uint sharedMemoryBytes = 0)
    {
        var result = DriverApi.cuLaunchKernel(Handle, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z,
            sharedMemoryBytes, CudaStream.HandleOf(stream), arguments.Pointers, null);
        if (result != CuResult.CUDA_SUCCESS) throw CudaException.FromDriver($"cuLaunchKernel({Name})", result);
    }
}
