using System.Net;
using Orleans.Configuration;

namespace Grid.Silo.Hosting;

/// <summary>
/// Joins the silo to its cluster and gives it the grain storage requests persist to, through the provider
/// <see cref="GridClusterOptions.Provider"/> names; pod identity from Kubernetes when Grid:Kubernetes says so.
/// </summary>
public static class ClusteringSetup
{
    /// <param name="siloPort">The silo port, already chosen when the option says 0 (the node name may carry it).</param>
    public static void Apply(ISiloBuilder silo, GridClusterOptions options, int siloPort, int gatewayPort)
    {
        // First, so that our own cluster settings, configured after it, are the ones that hold.
        if (options.Kubernetes) KubernetesHosting.Apply(silo);
        switch (options.Provider)
        {
            case ClusteringKind.Redis:
                JoinSharedCluster(silo, options, siloPort, gatewayPort);
                RedisClustering.Apply(silo, options.Redis!);
                break;
            case ClusteringKind.AzureStorage:
                JoinSharedCluster(silo, options, siloPort, gatewayPort);
                AzureStorageClustering.Apply(silo, options.AzureStorage);
                break;
            default:
                LocalhostClustering.Apply(silo, options, siloPort, gatewayPort);
                break;
        }
    }

    /// <summary>How the host describes its cluster in its first log line.</summary>
    public static string Describe(GridClusterOptions options, int siloPort, int gatewayPort)
    {
        var silo = $"silo {options.AdvertisedAddress}:{siloPort} (gateway {gatewayPort}){(options.Kubernetes ? ", Kubernetes pod identity" : "")}";
        return options.Provider switch
        {
            ClusteringKind.Redis => $"cluster '{options.ClusterId}' through Redis {RedisClustering.Servers(options.Redis!)}, {silo}",
            ClusteringKind.AzureStorage => $"cluster '{options.ClusterId}' through Azure Table storage {options.AzureStorage.Endpoint()} " +
                $"(tables {options.AzureStorage.ClusteringTable}, {options.AzureStorage.RequestsTable}), {silo}",
            _ => $"one silo on 127.0.0.1:{siloPort} (gateway {gatewayPort}, localhost clustering)",
        };
    }

    /// <summary>What every shared membership table needs: identity, endpoints, fast failure detection, a directory that survives a death.</summary>
    private static void JoinSharedCluster(ISiloBuilder silo, GridClusterOptions options, int siloPort, int gatewayPort)
    {
        var address = options.Address;
        silo.Configure<ClusterOptions>(c =>
        {
            c.ClusterId = options.ClusterId;
            c.ServiceId = options.ServiceId;
        });
        // Other silos and clients dial the advertised address; only a loopback one can listen on loopback alone.
        silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        // The default directory deactivates a survivor's activations whose entries the dead silo held: a GPU grain
        // among them takes its engine and every request on it down. This one recovers the entries from the survivors.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = options.ProbeTimeout;
            m.NumMissedProbesLimit = options.NumMissedProbesLimit;
            m.NumVotesForDeathDeclaration = options.NumVotesForDeathDeclaration;
        });
        // The directory's lease on a dead silo's grains starts at its estimated failure, the failure-detection window
        // (the longest probe timeout, 4 x ProbeTimeout, times the misses) before it was declared dead.
        silo.Configure<GrainDirectoryOptions>(d =>
            d.RangeLeaseDuration = 4 * options.ProbeTimeout * options.NumMissedProbesLimit + options.DeadSiloLease);
    }
}
