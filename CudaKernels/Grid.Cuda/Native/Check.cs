using System.Runtime.CompilerServices;

namespace Grid.Cuda.Native;

/// <summary>
/// Turns every result code into a <see cref="CudaException"/> that names the call. The call's name comes from the
/// expression at the call site (<c>Check.Driver(DriverApi.cuMemAlloc_v2(...))</c>), a compile-time constant, so a
/// successful check costs one comparison.
/// </summary>
internal static class Check
{
    public static void Driver(CuResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != CuResult.CUDA_SUCCESS) throw CudaException.FromDriver(CallName(call), result);
    }

    public static void Nvrtc(int result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != 0) throw CudaException.FromNvrtc(CallName(call), result);
    }

    public static void Cublas(CublasStatus status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CublasStatus.CUBLAS_STATUS_SUCCESS) throw CudaException.FromCublas(CallName(call), status);
    }

    /// <summary>"DriverApi.cuMemAlloc_v2(&amp;p, n)" -> "cuMemAlloc_v2".</summary>
    internal static string CallName(string expression)
    {
        var open = expression.IndexOf('(');
        var head = open < 0 ? expression : expression[..open];
        return head[(head.LastIndexOf('.') + 1)..].Trim();
    }
}
