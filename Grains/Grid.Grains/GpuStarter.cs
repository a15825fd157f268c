using Microsoft.Extensions.Logging;

namespace Grid.Grains;

/// <summary>Activates this silo's GPU grains once the silo is up, so they load their engines and join their model's registry before any request comes.</summary>
public sealed class GpuStarter(GpuRuntime runtime, IGrainFactory grains, ILogger<GpuStarter> log) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GpuStarter), ServiceLifecycleStage.Active, Start);

    private async Task Start(CancellationToken cancellationToken)
    {
        foreach (var gpu in runtime.LocalGpus)
        {
            var load = await LoadAsync(gpu, cancellationToken);
            log.LogInformation("GPU {Gpu} serves model {Model} with {Blocks} free KV blocks", gpu, runtime.Model, load.FreeBlocks);
        }
    }

    /// <summary>
    /// Load has a short timeout, but the first call activates the grain: it loads the model and allocates the
    /// device's KV pool, which can take longer. The activation goes on after a timeout; ask again until it answers.
    /// </summary>
    private async Task<LoadReport> LoadAsync(string gpu, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grains.GetGrain<IGpuGrain>(gpu).Load();
            }
            catch (TimeoutException) when (attempt < 30 && !cancellationToken.IsCancellationRequested)
            {
                log.LogInformation("GPU {Gpu} is still starting (attempt {Attempt})", gpu, attempt);
            }
        }
    }
}
