using System.Diagnostics;
using Grid.Engine.KvCache;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

/// <summary>
/// One device's engine, on the silo that owns the device. The engine runs on its own thread (see
/// <see cref="EngineWorker"/>); this grain queues commands to it and reports its load. Tokens go
/// from that thread straight to the request grains. A timer tells the KV block grains, off the hot
/// path, which shareable blocks the engine's prefix cache stored or evicted since the last flush; about once a
/// second the same timer pushes a <see cref="GpuReport"/> to the cluster view grain, whose answer can drain it.
/// </summary>
/// <remarks>
/// Reentrant: commands wait for the engine thread (up to a step), and a load report or liveness probe
/// must not queue behind them. The grain's own fields are touched only by the flush timer, one tick at a time.
/// </remarks>
[GpuPlacement, Reentrant]
public sealed class GpuGrain(GpuRuntime runtime, IGrainFactory grains, IOptions<GridSiloOptions> options, ILocalSiloDetails silo, ILogger<GpuGrain> log)
    : Grain, IGpuGrain
{
    private readonly KvAnnouncements _announcements = new();
    private readonly List<KvEvent> _events = [];
    private readonly List<(ulong Hash, bool Holds)> _changes = [];
    private EngineWorker? _worker;
    private IModelRegistryGrain? _registry;
    private Task _flush = Task.CompletedTask;
    private Task _report = Task.CompletedTask;
    private long _reportedAt;
    private Task<EngineWorker.Activity>? _activity;
    private EngineWorker.Activity _lastActivity = EngineWorker.Activity.None;

    private EngineWorker Worker => _worker ?? throw new InvalidOperationException("the GPU grain is not active");
    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _worker = runtime.Start(Key, batch => grains.GetGrain<IRequestGrain>(batch.RequestId).Deliver(batch));
        // Requests live in the engine, not in grain state: idle collection would drop them.
        DelayDeactivation(TimeSpan.MaxValue);
        _registry = grains.GetGrain<IModelRegistryGrain>(runtime.Model);
        await _registry.Join(Key);
        var o = options.Value;
        this.RegisterGrainTimer(() => _registry.Join(Key), new GrainTimerCreationOptions(o.RegistryHeartbeat, o.RegistryHeartbeat) { Interleave = true });
        // The next tick waits for this one's calls, so one block's announcements never overtake each other.
        this.RegisterGrainTimer(FlushKv, new GrainTimerCreationOptions(o.KvFlushInterval, o.KvFlushInterval) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (_registry is not null) await _registry.Leave(Key);
        }
        catch (Exception)
        {
            // A registry on a dead silo cannot be told; the routers drop GPUs that fail them anyway.
        }
        if (_worker is not null) runtime.Stop(_worker);
        _worker = null;
        // The pool is gone with the engine: every block it held goes out of the index (best effort; an entry
        // left behind only misleads routing until the block's other holders evict it). Not when the whole
        // silo stops: its block grains are going too, and the others learn from the registry that this GPU left.
        await _flush;
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown) return;
        _changes.Clear();
        _announcements.Withdraw(_changes);
        try
        {
            await Announce().WaitAsync(cancellationToken);
        }
        catch (Exception e)
        {
            log.LogInformation(e, "GPU {Gpu}: not every KV block grain heard that its blocks are gone", Key);
        }
    }

    public Task Admit(AdmitRequest request) => Worker.Admit(request);

    public Task Abort(string requestId) => Worker.Abort(requestId);

    public Task<bool> Holds(string requestId) => Worker.Holds(requestId);

    public Task<EncodedPrompt> Encode(PromptText prompt) => Task.FromResult(runtime.Encoder.Encode(prompt));

    public Task<LoadReport> Load() => Task.FromResult(Worker.Load);

    public Task<string[]> Requests() => Worker.Held();

    public Task Drain()
    {
        log.LogInformation("GPU {Gpu} drains: it admits no new requests", Key);
        return Worker.Drain();
    }

    public Task<int> Evict() => Worker.Evict();

    private Task FlushKv()
    {
        if (_worker is null) return Task.CompletedTask;
        // Not awaited: a cluster view on a silo that died must not hold up the KV flushes for a response timeout.
        if (_report.IsCompleted && Stopwatch.GetElapsedTime(_reportedAt) >= options.Value.ClusterReportInterval)
        {
            _reportedAt = Stopwatch.GetTimestamp();
            _report = Report(_worker);
        }
        _worker.KvEvents.MoveTo(_events);
        _changes.Clear();
        _announcements.Fold(_events, _changes);
        _events.Clear();
        return _flush = Announce();
    }

    /// <summary>
    /// Tells the cluster view this GPU's state; a view that knows the silo drains makes this GPU drain too. The engine thread
    /// answers between steps: if a step runs longer than a report interval, the report goes with the requests last known
    /// (the engine's answer comes with a later one), so a busy or stuck GPU stays in view.
    /// </summary>
    private async Task Report(EngineWorker worker)
    {
        try
        {
            var pending = _activity ??= worker.Report();
            await Task.WhenAny(pending, Task.Delay(options.Value.ClusterReportInterval));
            var activity = _lastActivity with { Finished = [] };
            if (pending.IsCompleted)
            {
                _activity = null;
                activity = await pending;
                _lastActivity = activity;
            }
            var load = worker.Load;
            var report = new GpuReport(Key, silo.SiloAddress.ToParsableString(), runtime.Model, options.Value.Backend.ToString(),
                load.FreeBlocks + load.CachedBlocks + load.UsedBlocks, load, activity.PrefixQueries, activity.PrefixHits, activity.Requests, activity.Finished);
            if (await grains.GetGrain<IClusterViewGrain>(IClusterViewGrain.Key).Report(report) && !load.Draining) await Drain();
        }
        catch (Exception e)
        {
            // A hint for the dashboard: the next report comes within a second.
            log.LogDebug(e, "GPU {Gpu}: the cluster view did not take its report", Key);
        }
    }

    /// <summary>One call per changed block; the index is a hint, so a block grain that cannot be reached is logged and skipped.</summary>
    private async Task Announce()
    {
        if (_changes.Count == 0) return;
        var key = Key;
        var calls = new Task[_changes.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            var (hash, holds) = _changes[i];
            var block = grains.GetGrain<IKvBlockGrain>(KvBlockKey.Of(runtime.Model, hash));
            calls[i] = holds ? block.Stored(key) : block.Removed(key);
        }
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "GPU {Gpu}: {Failed} of {Calls} KV block announcements failed", Key, calls.Count(c => !c.IsCompletedSuccessfully), calls.Length);
        }
    }
}
