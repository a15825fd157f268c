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
            var load = await grains.GetGrain<IGpuGrain>(gpu).Load();
            log.LogInformation("GPU {Gpu} serves model {Model} with {Blocks} free KV blocks", gpu, runtime.Model, load.FreeBlocks);
        }
    }
}
