using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Grid.Grains.Tests;

/// <summary>An in-process cluster of silos, each a grid node with one or more "GPUs" (CPU backend, or Sim) serving stories260K.</summary>
public sealed class GridCluster : IAsyncDisposable
{
    private GridCluster(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }
    public IClusterClient Client => Cluster.Client;

    /// <param name="placement">The routers' policy; null keeps the grid's default.</param>
    /// <param name="simScale">When set, the devices run the Sim backend at this pace (above 1: slower than the simulated GPU).</param>
    /// <param name="devices">Devices on each silo that has any.</param>
    /// <param name="configure">Changes to the grid options after the test cluster's own.</param>
    /// <param name="gpuSilos">How many silos, the first ones, have devices; the rest serve no GPU. All, when null.</param>
    /// <param name="configureSilo">More set-up of each silo (a test's call filters, say).</param>
    /// <param name="refuseState">Which request states the storage refuses to write (as too large).</param>
    public static async Task<GridCluster> Start(int silos, PlacementPolicy? placement = null, double? simScale = null, int devices = 1,
        Action<GridSiloOptions>? configure = null, int? gpuSilos = null, Action<ISiloBuilder>? configureSilo = null,
        Func<object?, bool>? refuseState = null)
    {
        var model = StoriesModel.Gguf;
        var builder = new InProcessTestClusterBuilder((short)silos);
        var configured = 0;
        builder.ConfigureSilo((silo, b) =>
        {
            // Silos are configured one after another as the cluster starts, the primary first.
            var siloDevices = configured++ < (gpuSilos ?? silos) ? devices : 0;
            b.Services.AddKeyedSingleton<IGrainStorage>(GridStorage.Requests,
                (sp, _) => new SharedGrainStorage(sp.GetRequiredService<Serializer>(), refuseState));
            b.AddGrid(o =>
            {
                o.NodeName = silo.SiloName;
                o.Model = StoriesModel.Id;
                o.ModelPath = model;
                o.Devices = siloDevices;
                if (placement is { } p) o.Placement = p;
                o.Backend = simScale is null ? GpuBackendKind.Cpu : GpuBackendKind.Sim;
                o.SimTimeScale = simScale ?? 1;
                // Several engines share 2 cores here: one worker thread each, no spinning partners.
                o.CpuThreads = 1;
                o.StallCheck = TimeSpan.FromMilliseconds(300);
                o.PersistEvery = 8;
                o.RegistryHeartbeat = TimeSpan.FromSeconds(1);
                configure?.Invoke(o);
            });
            configureSilo?.Invoke(b);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var grid = new GridCluster(cluster);
        await grid.WaitFor(async () => (await grid.Registry.List()).Length == (gpuSilos ?? silos) * devices, "every silo's GPUs joined the registry");
        return grid;
    }

    public IModelRegistryGrain Registry => Client.GetGrain<IModelRegistryGrain>(StoriesModel.Id);

    public IRequestGrain Request(string id) => Client.GetGrain<IRequestGrain>(id);

    public IGpuGrain Gpu(string key) => Client.GetGrain<IGpuGrain>(key);

    /// <summary>Whether the KV block grains list <paramref name="gpu"/> as a holder of every one of <paramref name="hashes"/> (or of none, when <paramref name="holds"/> is false).</summary>
    public async Task<bool> IndexSays(string gpu, IEnumerable<ulong> hashes, bool holds = true)
    {
        var holders = await Task.WhenAll(hashes.Select(h => Client.GetGrain<IKvBlockGrain>(KvBlockKey.Of(StoriesModel.Id, h)).Holders()));
        return holders.All(h => h.Contains(gpu) == holds);
    }

    /// <summary>
    /// Checks the condition until it holds; fails after a generous deadline. A probe that times out (the short
    /// liveness timeouts of Load and Holds, on a loaded machine) counts as "not yet", not as a failure.
    /// </summary>
    public async Task WaitFor(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await Holds(condition))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {seconds} s for: {what}");
            await Task.Delay(20);
        }
    }

    private static async Task<bool> Holds(Func<Task<bool>> condition)
    {
        try
        {
            return await condition();
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
