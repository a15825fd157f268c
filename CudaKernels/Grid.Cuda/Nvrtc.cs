using System.Runtime.InteropServices;
using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>What the NVRTC found on this machine is, and can compile for.</summary>
public static unsafe class Nvrtc
{
    private static readonly Lazy<Version> LazyVersion = new(ReadVersion);
    private static readonly Lazy<IReadOnlyList<int>> LazyArchs = new(ReadArchitectures);

    /// <summary>Whether NVRTC loads; <paramref name="reason"/> says where it was looked for when it does not.</summary>
    public static bool IsAvailable(out string reason)
    {
        var load = CudaLibraries.Load(CudaLibraries.Nvrtc);
        reason = load.Failure ?? $"NVRTC loaded from {load.Path}";
        return load.Found;
    }

    public static Version Version => LazyVersion.Value;

    /// <summary>The sm_XX numbers this NVRTC compiles for (e.g. 80, 86, 90).</summary>
    public static IReadOnlyList<int> SupportedArchitectures => LazyArchs.Value;

    /// <summary>NVRTC's name for a result code, e.g. NVRTC_ERROR_COMPILATION.</summary>
    public static string ErrorName(int code)
    {
        if (!CudaLibraries.Load(CudaLibraries.Nvrtc).Found) return $"nvrtcResult {code}";
        var text = NvrtcApi.nvrtcGetErrorString(code);
        return text == null ? $"nvrtcResult {code}" : Marshal.PtrToStringUTF8((nint)text)!;
    }

    private static Version ReadVersion()
    {
        int major, minor;
        Check.Nvrtc(NvrtcApi.nvrtcVersion(&major, &minor));
        return new Version(major, minor);
    }

    private static IReadOnlyList<int> ReadArchitectures()
    {
        int count;
        Check.Nvrtc(NvrtcApi.nvrtcGetNumSupportedArchs(&count));
        var archs = new int[count];
        fixed (int* p = archs) Check.Nvrtc(NvrtcApi.nvrtcGetSupportedArchs(p));
        return archs;
    }
}
