using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grid.Grains;

public static class GridSiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo a grid node: its devices' GPU grains (placed here), the engines behind them,
    /// and the node name in silo metadata for placement. The silo must also provide grain storage
    /// named <see cref="GridStorage.Requests"/>.
    /// </summary>
    public static ISiloBuilder AddGrid(this ISiloBuilder builder, Action<GridSiloOptions> configure)
    {
        var options = new GridSiloOptions();
        configure(options);
        options.Validate();
        builder.UseSiloMetadata(new Dictionary<string, string> { [GpuPlacementDirector.NodeMetadataKey] = options.NodeName });
        builder.Services.AddSingleton(Options.Create(options));
        // The grid's instruments, on a meter from the host's IMeterFactory (added here if the host has none).
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<GridMetrics>();
        builder.Services.AddSingleton<GpuRuntime>();
        builder.Services.AddSingleton(new LoadCache(options.LoadReportMaxAge));
        builder.Services.AddPlacementDirector<GpuPlacementStrategy, GpuPlacementDirector>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, GpuStarter>();
        builder.Services.AddSingleton<SiloStopping>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloStopping>());
        return builder;
    }
}
