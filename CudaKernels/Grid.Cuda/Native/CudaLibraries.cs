using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Grid.Cuda.Native;

/// <summary>
/// Finds the CUDA libraries for the bindings' logical names (<see cref="Driver"/>, <see cref="Nvrtc"/>,
/// <see cref="Cublas"/>). Linux ships them under versioned names only (the unversioned <c>.so</c> comes with
/// the -dev packages), so the default probing would never find them: this resolver tries each versioned name,
/// newest first, in the override folder, the CUDA toolkit folders and then through the system loader.
/// </summary>
public static class CudaLibraries
{
    public const string Driver = "cuda";
    public const string Nvrtc = "nvrtc";
    public const string Cublas = "cublas";

    /// <summary>Folders (separated by ':') searched before any other.</summary>
    public const string DirectoryVariable = "GRID_CUDA_LIB_DIR";

    private static readonly Dictionary<string, string[]> FileNames = new()
    {
        [Driver] = ["libcuda.so.1"],
        [Nvrtc] = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"],
        [Cublas] = ["libcublas.so.13", "libcublas.so.12"],
    };

    // libcublas needs the libcublasLt of its version; the loader finds it beside libcublas only where that folder is
    // in its own search path (ld.so.conf, LD_LIBRARY_PATH), so it is loaded first from the same folder.
    private static readonly Dictionary<string, string> Companions = new()
    {
        ["libcublas.so.13"] = "libcublasLt.so.13",
        ["libcublas.so.12"] = "libcublasLt.so.12",
    };

    private static readonly ConcurrentDictionary<string, Lazy<LoadResult>> Loaded = new();
    private static int registered;

    /// <summary>The versioned file names tried for a logical name, newest first.</summary>
    public static IReadOnlyList<string> FileNamesOf(string library) =>
        FileNames.TryGetValue(library, out var names) ? names : throw new ArgumentException($"unknown CUDA library '{library}'", nameof(library));

    /// <summary>The folders searched before the system loader, in order; <paramref name="environment"/> reads a variable.</summary>
    public static IReadOnlyList<string> SearchDirectories(Func<string, string?> environment)
    {
        var dirs = new List<string>();
        var overrides = environment(DirectoryVariable);
        if (!string.IsNullOrEmpty(overrides)) dirs.AddRange(overrides.Split(':', StringSplitOptions.RemoveEmptyEntries));
        var cudaPath = environment("CUDA_PATH");
        if (!string.IsNullOrEmpty(cudaPath))
        {
            dirs.Add(Path.Combine(cudaPath, "lib64"));
            dirs.Add(Path.Combine(cudaPath, "targets", "x86_64-linux", "lib"));
        }
        dirs.Add("/usr/local/cuda/lib64");
        dirs.Add("/usr/local/cuda/targets/x86_64-linux/lib");
        // Where the NVIDIA container runtime mounts the driver's libraries.
        dirs.Add("/usr/local/nvidia/lib64");
        return dirs;
    }

    /// <summary>
    /// Resolves one logical name: every file name in every folder, then every file name through the system loader
    /// (LD_LIBRARY_PATH, the ld.so cache). <paramref name="tryLoad"/> returns a handle or zero.
    /// </summary>
    public static LoadResult Resolve(string library, Func<string, string?> environment, Func<string, nint> tryLoad)
    {
        var names = FileNamesOf(library);
        var tried = new List<string>();
        foreach (var dir in SearchDirectories(environment))
        foreach (var name in names)
        {
            var path = Path.Combine(dir, name);
            tried.Add(path);
            if (Companions.TryGetValue(name, out var companion) && File.Exists(path)) tryLoad(Path.Combine(dir, companion));
            var handle = tryLoad(path);
            if (handle != 0) return new LoadResult(library, handle, path, tried);
        }
        foreach (var name in names)
        {
            tried.Add($"{name} (system loader)");
            var handle = tryLoad(name);
            if (handle != 0) return new LoadResult(library, handle, name, tried);
        }
        return new LoadResult(library, 0, null, tried);
    }

    /// <summary>Loads a library once per process (cached, failures too) from the real environment.</summary>
    public static LoadResult Load(string library) =>
        Loaded.GetOrAdd(library, l => new Lazy<LoadResult>(() => Resolve(l, Environment.GetEnvironmentVariable, TryLoad))).Value;

    /// <summary>Installs the resolver for this assembly's imports; the runtime allows one per assembly, so once.</summary>
    internal static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, ResolveImport);
    }

    private static nint ResolveImport(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!FileNames.ContainsKey(name)) return 0;
        // Throwing here (rather than returning zero) keeps the runtime from replacing our message with its own.
        return Load(name).HandleOrThrow();
    }

    private static nint TryLoad(string path) => NativeLibrary.TryLoad(path, out var handle) ? handle : 0;
}
