using System.Runtime.InteropServices;

namespace Grid.Cuda.Native;

/// <summary>
/// The CUDA driver API (libcuda.so.1). Sizes are <c>nuint</c> (size_t), device pointers <c>ulong</c> (CUdeviceptr),
/// handles <c>nint</c>. The <c>_v2</c> entry points are bound wherever they exist: the unsuffixed symbols are kept
/// in libcuda for old binaries and take 32-bit sizes, which corrupts data silently. cuMemsetD8Async has no _v2.
/// </summary>
internal static unsafe partial class DriverApi
{
    static DriverApi() => CudaLibraries.Register();

    private const string Lib = CudaLibraries.Driver;

    [LibraryImport(Lib)] internal static partial CuResult cuInit(uint flags);
    [LibraryImport(Lib)] internal static partial CuResult cuDriverGetVersion(int* version);
    [LibraryImport(Lib)] internal static partial CuResult cuGetErrorName(CuResult error, byte** name);
    [LibraryImport(Lib)] internal static partial CuResult cuGetErrorString(CuResult error, byte** text);

    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGet(int* device, int ordinal);
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGetCount(int* count);
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGetAttribute(int* value, DeviceAttribute attribute, int device);
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceTotalMem_v2(nuint* bytes, int device);

    // The primary context: the one the runtime API and cuBLAS share, unchanged across CUDA 11-13
    // (CUDA 13's headers redirect cuCtxCreate to a new signature).
    [LibraryImport(Lib)] internal static partial CuResult cuDevicePrimaryCtxRetain(nint* context, int device);
    [LibraryImport(Lib)] internal static partial CuResult cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(Lib)] internal static partial CuResult cuCtxSetCurrent(nint context);
    [LibraryImport(Lib)] internal static partial CuResult cuCtxSynchronize();
    [LibraryImport(Lib)] internal static partial CuResult cuMemGetInfo_v2(nuint* free, nuint* total);

    [LibraryImport(Lib)] internal static partial CuResult cuModuleLoadData(nint* module, void* image);
    [LibraryImport(Lib)] internal static partial CuResult cuModuleUnload(nint module);
    [LibraryImport(Lib)] internal static partial CuResult cuModuleGetFunction(nint* function, nint module, byte* name);

    [LibraryImport(Lib)]
    internal static partial CuResult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, nint function, int blockSize, nuint dynamicSharedBytes);

    [LibraryImport(Lib)]
    internal static partial CuResult cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ, uint sharedMemBytes, nint stream, void** kernelParams, void** extra);

    [LibraryImport(Lib)] internal static partial CuResult cuMemAlloc_v2(ulong* pointer, nuint bytes);
    [LibraryImport(Lib)] internal static partial CuResult cuMemFree_v2(ulong pointer);
    [LibraryImport(Lib)] internal static partial CuResult cuMemHostAlloc(void** pointer, nuint bytes, uint flags);
    [LibraryImport(Lib)] internal static partial CuResult cuMemFreeHost(void* pointer);

    [LibraryImport(Lib)] internal static partial CuResult cuMemcpyHtoD_v2(ulong destination, void* source, nuint bytes);
    [LibraryImport(Lib)] internal static partial CuResult cuMemcpyDtoH_v2(void* destination, ulong source, nuint bytes);
    [LibraryImport(Lib)] internal static partial CuResult cuMemcpyDtoD_v2(ulong destination, ulong source, nuint bytes);
    [LibraryImport(Lib)] internal static partial CuResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuMemsetD8_v2(ulong destination, byte value, nuint count);
    [LibraryImport(Lib)] internal static partial CuResult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);

    [LibraryImport(Lib)] internal static partial CuResult cuStreamCreate(nint* stream, uint flags);
    [LibraryImport(Lib)] internal static partial CuResult cuStreamDestroy_v2(nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuStreamSynchronize(nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuStreamWaitEvent(nint stream, nint @event, uint flags);

    [LibraryImport(Lib)] internal static partial CuResult cuEventCreate(nint* @event, uint flags);
    [LibraryImport(Lib)] internal static partial CuResult cuEventDestroy_v2(nint @event);
    [LibraryImport(Lib)] internal static partial CuResult cuEventRecord(nint @event, nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuEventSynchronize(nint @event);
    [LibraryImport(Lib)] internal static partial CuResult cuEventElapsedTime(float* milliseconds, nint start, nint end);
}
