using Grid.Grains;

namespace Grid.Silo.Hosting;

/// <summary>One silo alone on loopback: requests live in its memory and die with it.</summary>
public static class LocalhostClustering
{
    public static void Apply(ISiloBuilder silo, GridClusterOptions options, int siloPort, int gatewayPort)
    {
        silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        silo.AddMemoryGrainStorage(GridStorage.Requests);
    }
}
