namespace Grid.Cuda;

/// <summary>Where a <see cref="CompiledModule"/> came from.</summary>
public enum CompileOrigin
{
    Compiled,
    MemoryCache,
    DiskCache,
}

/// <summary>
/// A kernel file compiled to CUBIN for one architecture, with the entry points found in the CUBIN itself.
/// <paramref name="CompileTime"/> is NVRTC's time when it was compiled (zero when read from disk).
/// </summary>
public sealed record CompiledModule(string Name, string Architecture, byte[] Cubin, IReadOnlyList<string> Kernels,
    TimeSpan CompileTime, CompileOrigin Origin, string Log);
