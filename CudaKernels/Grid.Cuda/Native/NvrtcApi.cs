using System.Runtime.InteropServices;

namespace Grid.Cuda.Native;

/// <summary>
/// NVRTC, the run-time CUDA C++ compiler (libnvrtc.so.13 / .12 / .11.2). Results are nvrtcResult codes
/// (0 = success; names from <see cref="nvrtcGetErrorString"/>). Strings are passed as NUL-terminated UTF-8.
/// </summary>
internal static unsafe partial class NvrtcApi
{
    static NvrtcApi() => CudaLibraries.Register();

    private const string Lib = CudaLibraries.Nvrtc;

    [LibraryImport(Lib)] internal static partial int nvrtcVersion(int* major, int* minor);
    [LibraryImport(Lib)] internal static partial byte* nvrtcGetErrorString(int result);
    [LibraryImport(Lib)] internal static partial int nvrtcGetNumSupportedArchs(int* count);
    [LibraryImport(Lib)] internal static partial int nvrtcGetSupportedArchs(int* archs);

    [LibraryImport(Lib)]
    internal static partial int nvrtcCreateProgram(nint* program, byte* source, byte* name,
        int headerCount, byte** headers, byte** includeNames);

    [LibraryImport(Lib)] internal static partial int nvrtcCompileProgram(nint program, int optionCount, byte** options);
    [LibraryImport(Lib)] internal static partial int nvrtcDestroyProgram(nint* program);
    [LibraryImport(Lib)] internal static partial int nvrtcGetProgramLogSize(nint program, nuint* size);
    [LibraryImport(Lib)] internal static partial int nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(Lib)] internal static partial int nvrtcGetCUBINSize(nint program, nuint* size);
    [LibraryImport(Lib)] internal static partial int nvrtcGetCUBIN(nint program, byte* cubin);
    [LibraryImport(Lib)] internal static partial int nvrtcGetPTXSize(nint program, nuint* size);
    [LibraryImport(Lib)] internal static partial int nvrtcGetPTX(nint program, byte* ptx);
}
