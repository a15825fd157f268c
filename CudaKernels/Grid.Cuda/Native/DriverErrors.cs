using System.Runtime.InteropServices;

namespace Grid.Cuda.Native;

/// <summary>Names a driver result: the driver's own name and text where it is loaded, cuda.h's name otherwise.</summary>
internal static unsafe class DriverErrors
{
    public static (string Name, string Text) Describe(CuResult code)
    {
        var fallback = Enum.IsDefined(code) ? code.ToString() : $"CUresult {(int)code}";
        // Asking a library that is not there would throw from inside the error path.
        if (!CudaLibraries.Load(CudaLibraries.Driver).Found) return (fallback, "(no driver to describe it)");
        byte* name = null, text = null;
        var named = DriverApi.cuGetErrorName(code, &name) == CuResult.CUDA_SUCCESS && name != null;
        var described = DriverApi.cuGetErrorString(code, &text) == CuResult.CUDA_SUCCESS && text != null;
        return (named ? Marshal.PtrToStringUTF8((nint)name)! : fallback,
                described ? Marshal.PtrToStringUTF8((nint)text)! : "(unknown error)");
    }
}
