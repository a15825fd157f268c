using Orleans.Concurrency;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

/// <summary>
/// One device's engine, on the silo that owns the device. The engine runs on its own thread (see
/// <see cref="EngineWorker"/>); this grain queues commands to it and reports its load. Tokens go
/// from that thread straight to the request grains.
/// </summary>
// Reentrant: commands wait for the engine thread (up to a step), and a load report or liveness probe must not queue behind them.
[GpuPlacement, Reentrant]
public sealed class GpuGrain(GpuRuntime runtime, IGrainFactory grains, IOptions<GridSiloOptions> options) : Grain, IGpuGrain
{
    private EngineWorker? _worker;
    private IModelRegistryGrain? _registry;

    private EngineWorker Worker => _worker ?? throw new InvalidOperationException("the GPU grain is not active");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _worker = runtime.Start(key, batch => grains.GetGrain<IRequestGrain>(batch.RequestId).Deliver(batch));
        // Requests live in the engine, not in grain state: idle collection would drop them.
        DelayDeactivation(TimeSpan.MaxValue);
        _registry = grains.GetGrain<IModelRegistryGrain>(runtime.Model);
        await _registry.Join(key);
        this.RegisterGrainTimer(() => _registry.Join(key), new GrainTimerCreationOptions
        {
            DueTime = options.Value.RegistryHeartbeat,
            Period = options.Value.RegistryHeartbeat,
            Interleave = true,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (_registry is not null) await _registry.Leave(this.GetPrimaryKeyString());
        }
        catch (Exception)
        {
            // A registry on a dead silo cannot be told; the routers drop GPUs that fail them anyway.
        }
        if (_worker is not null) runtime.Stop(_worker);
        _worker = null;
    }

    public Task Admit(AdmitRequest request) => Worker.Admit(request);

    public Task Abort(string requestId) => Worker.Abort(requestId);

    public Task<bool> Holds(string requestId) => Worker.Holds(requestId);

    public Task<EncodedPrompt> Encode(PromptText prompt) => Task.FromResult(runtime.Encoder.Encode(prompt));

    public Task<LoadReport> Load() => Task.FromResult(Worker.Load);
}
