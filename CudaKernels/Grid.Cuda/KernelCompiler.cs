using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// Compiles CUDA C kernels with NVRTC to CUBIN for one <c>sm_XX</c>. CUBIN rather than PTX because it runs ptxas
/// now (invalid inline PTX "compiles" to PTX and fails only when the driver loads it) and because a driver
/// refuses PTX from a newer NVRTC. Results are cached in memory per (source, headers, options, NVRTC version,
/// architecture), and on disk when a cache folder is given, so a restart on the same GPU skips NVRTC.
/// </summary>
public sealed partial class KernelCompiler
{
    // NVRTC is documented thread-safe for separate programs only from CUDA 12; compiles are rare, so serialise them.
    private static readonly Lock NvrtcLock = new();
    private readonly ConcurrentDictionary<string, CompiledModule> memory = new();

    /// <param name="cacheDirectory">Folder for compiled CUBINs (created on demand); null: memory only.</param>
    /// <param name="headers">Include name and text of headers that <c>#include "name"</c> finds (NVRTC has no CUDA headers).</param>
    /// <param name="lineInfo">Adds <c>-lineinfo</c>, for profilers and compute-sanitizer; no effect on speed.</param>
    public KernelCompiler(string? cacheDirectory = null, IReadOnlyDictionary<string, string>? headers = null, bool lineInfo = false)
    {
        CacheDirectory = cacheDirectory;
        Headers = headers ?? new Dictionary<string, string>();
        LineInfo = lineInfo;
    }

    public string? CacheDirectory { get; }
    public IReadOnlyDictionary<string, string> Headers { get; }
    public bool LineInfo { get; }

    /// <summary>The NVRTC options for an <c>sm_XX</c> (or <c>compute_XX</c>) target.</summary>
    public IReadOnlyList<string> Options(string architecture)
    {
        List<string> options = [$"--gpu-architecture={architecture}", "-default-device", "--std=c++17"];
        if (LineInfo) options.Add("-lineinfo");
        return options;
    }

    public CompiledModule CompileFile(string path, string architecture) =>
        Compile(Path.GetFileName(path), File.ReadAllText(path), architecture);

    /// <summary>Compiles (or finds cached) <paramref name="source"/>, named <paramref name="name"/> in messages, to CUBIN.</summary>
    public CompiledModule Compile(string name, string source, string architecture)
    {
        RequireSupported(architecture, "sm");
        var options = Options(architecture);
        var key = Key(name, source, options);
        if (memory.TryGetValue(key, out var cached)) return cached with { Origin = CompileOrigin.MemoryCache };
        var file = CacheDirectory is null ? null : Path.Combine(CacheDirectory, $"{Path.GetFileNameWithoutExtension(name)}-{architecture}-{key[..16]}.cubin");
        CompiledModule compiled;
        if (file is not null && File.Exists(file))
        {
            var cubin = File.ReadAllBytes(file);
            compiled = new CompiledModule(name, architecture, cubin, CubinReader.KernelNames(cubin), TimeSpan.Zero, CompileOrigin.DiskCache, "");
        }
        else
        {
            var clock = Stopwatch.StartNew();
            var (cubin, log) = Run(name, source, options, cubin: true, architecture);
            compiled = new CompiledModule(name, architecture, cubin, CubinReader.KernelNames(cubin), clock.Elapsed, CompileOrigin.Compiled, log);
            if (file is not null) WriteAtomically(file, cubin);
        }
        memory[key] = compiled;
        return compiled;
    }

    /// <summary>
    /// Compiles to PTX text for a <c>compute_XX</c> target, uncached: for reading the generated code, and for
    /// devices newer than this NVRTC's newest sm_XX (the driver JIT-compiles PTX it is not newer than).
    /// </summary>
    public string CompileToPtx(string name, string source, string architecture)
    {
        RequireSupported(architecture, "compute");
        var (ptx, _) = Run(name, source, Options(architecture), cubin: false, architecture);
        return Encoding.UTF8.GetString(ptx).TrimEnd('\0');
    }

    private (byte[] Output, string Log) Run(string name, string source, IReadOnlyList<string> options, bool cubin, string architecture)
    {
        lock (NvrtcLock)
            return NvrtcProgram.Compile(name, source, Headers, options, cubin, $"compiling {name} for {architecture} (NVRTC {Nvrtc.Version})");
    }

    /// <summary>Throws naming the supported list when this NVRTC cannot compile for the target.</summary>
    private static void RequireSupported(string architecture, string prefix)
    {
        var match = ArchitecturePattern().Match(architecture);
        if (!match.Success || match.Groups[1].Value != prefix)
            throw new ArgumentException($"'{architecture}' is not a {prefix}_XX target", nameof(architecture));
        var number = int.Parse(match.Groups[2].Value);
        var supported = Nvrtc.SupportedArchitectures;
        if (!supported.Contains(number))
            throw new NotSupportedException($"NVRTC {Nvrtc.Version} cannot compile for {architecture}; it supports {prefix}_{string.Join($", {prefix}_", supported)}");
    }

    private string Key(string name, string source, IReadOnlyList<string> options)
    {
        var text = new StringBuilder().Append(Nvrtc.Version).Append('\0').AppendJoin(' ', options).Append('\0')
            .Append(name).Append('\0').Append(source);
        foreach (var (include, header) in Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
            text.Append('\0').Append(include).Append('\0').Append(header);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Writes through a temporary file and a rename, so a crash or a parallel writer never leaves half a CUBIN.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    [GeneratedRegex(@"^(sm|compute)_(\d+)a?$")]
    private static partial Regex ArchitecturePattern();
}
