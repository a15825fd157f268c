using System.Diagnostics;

namespace Grid.Cuda.Bench;

/// <summary>
/// The kernels, compiled file by file (one file that fails to compile leaves the others checkable), with the
/// small amount of plumbing every check needs: buffers, launches, and results under <c>kernel.</c>.
/// Single-threaded: the context is made current once, on the thread that runs the checks.
/// </summary>
internal sealed class KernelHarness : IDisposable
{
    private readonly Dictionary<string, CudaKernel> _kernels;
    private readonly List<CudaModule> _modules;
    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);
    private readonly HashSet<string> _launched = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _broken;
    private string _lastLaunch = "none";
    private int _passed, _failed;

    private KernelHarness(CudaContext context, Results results, List<CudaModule> modules, Dictionary<string, CudaKernel> kernels)
    {
        Context = context;
        Results = results;
        _modules = modules;
        _kernels = kernels;
    }

    public CudaContext Context { get; }
    public Results Results { get; }

    /// <summary>One argument block for every launch (the driver copies the values at launch).</summary>
    public KernelArguments Args { get; } = new();

    public static KernelHarness Load(CudaContext context, Results results)
    {
        var compiler = KernelSources.Compiler(cacheDirectory: null);
        var architecture = context.Device.Architecture;
        var modules = new List<CudaModule>();
        var kernels = new Dictionary<string, CudaKernel>(StringComparer.Ordinal);
        var failures = new List<string>();
        var files = KernelSources.Files();
        var clock = Stopwatch.StartNew();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            try
            {
                var compiled = compiler.CompileFile(file, architecture);
                var module = CudaModule.Load(context, compiled);
                modules.Add(module);
                foreach (var kernel in compiled.Kernels)
                    if (!kernels.TryAdd(kernel, module.Kernel(kernel)))
                        failures.Add($"{name}: kernel '{kernel}' is defined in two files");
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                Console.Error.WriteLine(e);
            }
        }
        results.Figure("kernel.compile_seconds", clock.Elapsed.TotalSeconds, "s");
        results.Note("kernel.loaded", string.Join(", ", kernels.Keys.Order(StringComparer.Ordinal)));
        results.Check("kernel.compile", failures.Count == 0,
            failures.Count == 0 ? $"{files.Count} files, {kernels.Count} kernels for {architecture}" : string.Join("; ", failures));
        return new KernelHarness(context, results, modules, kernels);
    }

    /// <summary>Runs one group of checks; an exception records a FAIL for the group and the next group still runs.</summary>
    public void Guard(string group, Action<KernelHarness> checks)
    {
        if (_broken is not null)
        {
            Check(group, false, $"not run: {_broken}");
            return;
        }
        try
        {
            checks(this);
            Context.Synchronize();
        }
        catch (Exception e)
        {
            // Keep the group's own key free if the check never got to record it; otherwise add a distinct one.
            // A fault surfaces at the next synchronisation (or, masking it, at a buffer's disposal): name the
            // last launch, the likely culprit.
            Check(_checked.Contains("kernel." + group) ? group + ".exception" : group, false,
                $"threw {e.GetType().Name}: {e.Message} (last launch: {_lastLaunch})");
            Console.Error.WriteLine(e);
            try
            {
                Context.Synchronize();
                using var probe = new DeviceBuffer<int>(Context, 1);
                probe.Upload([0]);
            }
            catch (Exception sticky)
            {
                _broken = $"the CUDA context is unusable since the {group} checks ({sticky.Message})";
            }
        }
    }

    public void Summarise()
    {
        Results.Figure("kernel.checks_seconds", _clock.Elapsed.TotalSeconds, "s");
        // A kernel added to CudaKernels without a check here shows up by name.
        var notLaunched = _kernels.Keys.Where(k => !_launched.Contains(k)).Order(StringComparer.Ordinal).ToList();
        Results.Note("kernel.unchecked", notLaunched.Count == 0 ? "none: every loaded kernel was launched by a check" : string.Join(", ", notLaunched));
        Results.Note("kernel.summary", $"{_passed} kernel checks passed, {_failed} failed");
    }

    public CudaKernel this[string name] =>
        _kernels.TryGetValue(name, out var k) ? k : throw new KeyNotFoundException($"kernel '{name}' is not loaded (no CudaKernels/*.cu defines it, or its file failed to compile)");

    public void Launch(string kernel, Dim3 grid, Dim3 block, KernelArguments arguments)
    {
        _lastLaunch = $"{kernel} grid ({grid.X}, {grid.Y}, {grid.Z}) block {block.X}";
        this[kernel].Launch(grid, block, arguments);
        _launched.Add(kernel);
    }

    public DeviceBuffer<T> Upload<T>(T[] data) where T : unmanaged
    {
        var buffer = new DeviceBuffer<T>(Context, data.Length);
        try
        {
            buffer.Upload(data);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        return buffer;
    }

    /// <summary>A buffer of <paramref name="length"/> copies of <paramref name="value"/> (a poison or sentinel value).</summary>
    public DeviceBuffer<T> Filled<T>(long length, T value) where T : unmanaged
    {
        var host = new T[length];
        Array.Fill(host, value);
        return Upload(host);
    }

    /// <summary>Waits for the launches so far (a fault surfaces here), then copies the whole buffer back.</summary>
    public T[] Download<T>(DeviceBuffer<T> buffer) where T : unmanaged
    {
        Context.Synchronize();
        var host = new T[buffer.Length];
        buffer.Download(host);
        return host;
    }

    public void Figure(string key, double value) => Results.Figure("kernel." + key, value);

    public void Note(string key, string value) => Results.Note("kernel." + key, value);

    public void Check(string key, bool passed, string detail)
    {
        _checked.Add("kernel." + key);
        if (passed) _passed++;
        else _failed++;
        Results.Check("kernel." + key, passed, detail);
    }

    /// <summary>An exact kernel: figure <c>kernel.KEY.mismatches</c>, pass only at zero.</summary>
    public void Exact(string key, Mismatches m, string what)
    {
        Figure(key + ".mismatches", m.Count);
        Check(key, m.Count == 0 && m.Compared > 0,
            m.Count == 0 ? $"{what}: all {m.Compared} values bit-exact" : $"{what}: {m.Count} of {m.Compared} values differ; first at {m.First}: {m.FirstDetail}");
    }

    /// <summary>A rounded kernel: figure <c>kernel.KEY.METRIC</c>, pass at or under <paramref name="bound"/> with no non-finite error.</summary>
    public void Bounded(string key, string metric, ErrorMeter e, double bound, string what)
    {
        Figure($"{key}.{metric}", e.Max);
        var nonFinite = e.NonFinite == 0 ? "" : $"; {e.NonFinite} non-finite results, first at {e.FirstNonFinite}";
        Check(key, e.Within(bound), $"{what}: {metric.Replace('_', ' ')} {e.Max:G4} at {e.At} over {e.Count} values (bound {bound:G4}){nonFinite}");
    }

    public void Dispose()
    {
        foreach (var m in _modules)
        {
            try
            {
                m.Dispose();
            }
            catch (CudaException e)
            {
                // A broken context refuses the unload too; the context's release still drops it.
                Console.Error.WriteLine($"unloading a kernel module: {e.Message}");
            }
        }
        _modules.Clear();
    }
}

/// <summary>Counts values that differ from an exact reference and keeps the first difference.</summary>
internal sealed class Mismatches
{
    public long Compared { get; private set; }
    public long Count { get; private set; }
    public long First { get; private set; } = -1;
    public string FirstDetail { get; private set; } = "";

    /// <summary>Counts one comparison of two bit patterns (or ids); false means the caller should <see cref="Record"/> it.</summary>
    public bool Same(ulong expected, ulong actual)
    {
        Compared++;
        return expected == actual;
    }

    public void Record(long index, string detail)
    {
        if (Count++ == 0)
        {
            First = index;
            FirstDetail = detail;
        }
    }
}

/// <summary>The largest of a set of errors, where it was, and how many were not finite (a NaN or infinite result).</summary>
internal sealed class ErrorMeter
{
    public double Max { get; private set; }
    public long At { get; private set; } = -1;
    public long Count { get; private set; }
    public long NonFinite { get; private set; }
    public long FirstNonFinite { get; private set; } = -1;

    public void Add(double error, long index)
    {
        Count++;
        if (!double.IsFinite(error))
        {
            if (NonFinite++ == 0) FirstNonFinite = index;
            return;
        }
        if (error > Max)
        {
            Max = error;
            At = index;
        }
    }

    public bool Within(double bound) => Count > 0 && NonFinite == 0 && Max <= bound;
}
