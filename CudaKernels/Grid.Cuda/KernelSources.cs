namespace Grid.Cuda;

/// <summary>
/// Finds the kernel sources: <c>CudaKernels/*.cu</c> (and headers <c>*.cuh</c>) copied beside the assembly of every
/// project that references Grid.Cuda and into a published app, or the folder that <see cref="DirectoryVariable"/>
/// names (to try an edited kernel without rebuilding).
/// </summary>
public static class KernelSources
{
    public const string DirectoryVariable = "GRID_CUDA_KERNELS_DIR";

    public static string Directory
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(DirectoryVariable);
            return string.IsNullOrEmpty(overridden) ? Path.Combine(AppContext.BaseDirectory, "CudaKernels") : overridden;
        }
    }

    /// <summary>The paths of every <c>.cu</c> file, sorted by name.</summary>
    public static IReadOnlyList<string> Files() => List("*.cu");

    /// <summary>Every <c>.cuh</c> header by file name, for <see cref="KernelCompiler"/>'s headers.</summary>
    public static IReadOnlyDictionary<string, string> Headers() =>
        List("*.cuh").ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

    /// <summary>A compiler that resolves <c>#include "x.cuh"</c> against the kernel folder.</summary>
    public static KernelCompiler Compiler(string? cacheDirectory = null, bool lineInfo = false) =>
        new(cacheDirectory, Headers(), lineInfo);

    private static IReadOnlyList<string> List(string pattern)
    {
        var dir = Directory;
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"kernel sources not found at {dir} (set {DirectoryVariable}, or reference Grid.Cuda so they are copied)");
        return System.IO.Directory.GetFiles(dir, pattern).Order(StringComparer.Ordinal).ToArray();
    }
}
