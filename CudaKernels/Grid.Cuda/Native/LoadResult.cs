namespace Grid.Cuda.Native;

/// <summary>Where a CUDA library was found, or every place that was searched for it.</summary>
public sealed record LoadResult(string Library, nint Handle, string? Path, IReadOnlyList<string> Searched)
{
    public bool Found => Handle != 0;

    /// <summary>Why the library is missing, naming each place tried (null when found).</summary>
    public string? Failure => Found
        ? null
        : $"the CUDA library '{Library}' was not found; searched {string.Join(", ", Searched)} " +
          $"(set {CudaLibraries.DirectoryVariable} to the folder that holds it)";

    public nint HandleOrThrow() => Found ? Handle : throw new DllNotFoundException(Failure);
}
