using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// A failed CUDA, NVRTC or cuBLAS call: names the call and the library's own error name and text, and for a
/// failed compile carries NVRTC's log. Driver errors after a kernel launch are often sticky: the context is then
/// unusable and every later call reports the same error.
/// </summary>
public sealed class CudaException : Exception
{
    private CudaException(string call, int code, string errorName, string message, string? log = null) : base(message)
    {
        Call = call;
        Code = code;
        ErrorName = errorName;
        Log = log;
    }

    /// <summary>The entry point that failed, e.g. <c>cuMemAlloc_v2</c>.</summary>
    public string Call { get; }
    public int Code { get; }
    /// <summary>The library's name for the code, e.g. <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</summary>
    public string ErrorName { get; }
    /// <summary>NVRTC's compile log, where a compile failed.</summary>
    public string? Log { get; }

    public static CudaException FromDriver(string call, CuResult code)
    {
        var (name, text) = DriverErrors.Describe(code);
        return new CudaException(call, (int)code, name, $"{call} failed: {name} ({(int)code}): {text}");
    }

    public static CudaException FromNvrtc(string call, int code, string? context = null, string? log = null)
    {
        var name = Nvrtc.ErrorName(code);
        var where = context is null ? "" : $" {context}";
        var body = string.IsNullOrWhiteSpace(log) ? "" : $"\n{log.TrimEnd()}";
        return new CudaException(call, code, name, $"{call} failed: {name} ({code}){where}{body}", log);
    }

    public static CudaException FromCublas(string call, CublasStatus status) =>
        new(call, (int)status, status.ToString(), $"{call} failed: {status} ({(int)status})");
}
