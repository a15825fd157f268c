using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Compute.Sim;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

/// <summary>
/// A silo's engines: loads the model once, on first use, and gives each GPU grain of this silo an
/// <see cref="EngineWorker"/> over its own backend (the backend owns the device's KV pool).
/// </summary>
public sealed class GpuRuntime(IOptions<GridSiloOptions> options, ILoggerFactory loggers, GridMetrics metrics) : IDisposable
{
    private readonly GridSiloOptions _options = options.Value;
    private readonly object _gate = new();
    private readonly List<EngineWorker> _workers = [];
    private Model? _model;
    private PromptEncoder? _encoder;
    private bool _ownsModel;

    public string NodeName => _options.NodeName;
    public string Model => _options.Model;

    /// <summary>Whether this silo's devices serve <paramref name="model"/>, so it can encode prompts for it itself.</summary>
    public bool Serves(string model) => _options.Devices > 0 && _options.Model == model;

    /// <summary>The model's prompt encoder (loads the model on first use).</summary>
    public PromptEncoder Encoder
    {
        get
        {
            var model = LoadModel();
            lock (_gate) return _encoder ??= new PromptEncoder(model);
        }
    }

    /// <summary>The keys of this silo's GPU grains.</summary>
    public IEnumerable<string> LocalGpus => Enumerable.Range(0, _options.Devices).Select(i => GpuKey.Of(_options.NodeName, i));

    public EngineWorker Start(string gpu, Func<TokenBatch, Task> deliver)
    {
        if (!LocalGpus.Contains(gpu)) throw new InvalidOperationException($"GPU {gpu} is not one of node {NodeName}'s {_options.Devices} devices");
        var model = LoadModel();
        // The Sim backend passes time on the clock it is given; the engine must read the same one.
        var clock = new RealClock(_options.Backend == GpuBackendKind.Sim ? _options.SimTimeScale : 1.0);
        var backend = CreateBackend(model, clock, GpuKey.Ordinal(gpu));
        var engine = new EngineCore(backend, model.Tokenizer, clock,
            new EngineOptions
            {
                MaxSequences = _options.MaxSequences,
                // The KV block grains index what the pools store, under hashes routers can compute from a model name.
                KvEvents = true,
                ModelId = BlockHashes.ModelId(_options.Model),
            });
        var worker = new EngineWorker(gpu, engine, backend, deliver, loggers.CreateLogger<EngineWorker>(), metrics.ForEngine(gpu, _options.Model));
        metrics.Track(worker, gpu, _options.Model);
        lock (_gate) _workers.Add(worker);
        return worker;
    }

    private IComputeBackend CreateBackend(Model model, IClock clock, int ordinal) => _options.Backend switch
    {
        GpuBackendKind.Cuda => _options.CudaBackend!(model, ordinal),
        GpuBackendKind.Sim => new SimBackend(model.Config, GpuSpec.Get(_options.SimGpu), clock,
            new SimBackendOptions { BlockSize = _options.BlockSize, MaxBatchTokens = _options.MaxBatchTokens }),
        _ => new CpuBackend(model, new CpuBackendOptions
        {
            BlockCount = _options.BlockCount, BlockSize = _options.BlockSize, MaxBatchTokens = _options.MaxBatchTokens, Threads = _options.CpuThreads,
        }),
    };

    private Model LoadModel()
    {
        lock (_gate)
        {
            if (_model is not null) return _model;
            _ownsModel = _options.ModelSource is null;
            return _model = _options.ModelSource?.Invoke() ?? ModelLoader.Load(_options.ModelPath, _options.TokenizerPath);
        }
    }

    /// <summary>Called by a GPU grain that deactivates.</summary>
    public void Stop(EngineWorker worker)
    {
        lock (_gate)
            if (!_workers.Remove(worker)) return;
        metrics.Untrack(worker);
        worker.Dispose();
    }

    /// <summary>A silo stopped without deactivating its grains (killed) still stops its engine threads.</summary>
    public void Dispose()
    {
        List<EngineWorker> workers;
        lock (_gate)
        {
            workers = [.. _workers];
            _workers.Clear();
        }
        foreach (var w in workers)
        {
            metrics.Untrack(w);
            w.Dispose();
        }
        lock (_gate)
            if (_ownsModel) _model?.Dispose();
    }
}
