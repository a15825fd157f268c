using System.Net;
using Grid.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace Grid.Silo.Hosting;

/// <summary>Joins the silo to its cluster and gives it the grain storage requests persist to.</summary>
public static class ClusteringSetup
{
    /// <param name="siloPort">The silo port, already chosen when the option says 0 (the node name may carry it).</param>
    public static void Apply(ISiloBuilder silo, GridClusterOptions options, int siloPort, int gatewayPort)
    {
        if (!options.UsesRedis)
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.AddMemoryGrainStorage(GridStorage.Requests);
            return;
        }

        var address = options.Address;
        silo.Configure<ClusterOptions>(c =>
        {
            c.ClusterId = options.ClusterId;
            c.ServiceId = options.ServiceId;
        });
        // Other silos and clients dial the advertised address; only a loopback one can listen on loopback alone.
        silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        silo.UseRedisClustering(options.Redis!);
        // The default directory deactivates a survivor's activations whose entries the dead silo held: a GPU grain
        // among them takes its engine and every request on it down. This one recovers the entries from the survivors.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // Requests must outlive the silo that holds them: a silo that takes over reads their tokens so far from Redis.
        silo.AddRedisGrainStorage(GridStorage.Requests, (OptionsBuilder<RedisStorageOptions> storage) => storage.Configure<Serializer>((o, serializer) =>
        {
            o.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis!);
            // The default JSON serializer leaves out values equal to the CLR default, and reading back then gives the
            // property's initializer instead: a greedy request (Temperature 0, initializer 1) came back sampling.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
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

    /// <summary>How the host describes its cluster in its first log line.</summary>
    public static string Describe(GridClusterOptions options, int siloPort, int gatewayPort) => options.UsesRedis
        ? $"cluster '{options.ClusterId}' through Redis {RedisServers(options.Redis!)}, silo {options.AdvertisedAddress}:{siloPort} (gateway {gatewayPort})"
        : $"one silo on 127.0.0.1:{siloPort} (gateway {gatewayPort}, localhost clustering)";

    // The servers only: a connection string may carry a password.
    private static string RedisServers(string connection) =>
        string.Join(",", ConfigurationOptions.Parse(connection).EndPoints.Select(e => e is DnsEndPoint d ? $"{d.Host}:{d.Port}" : e.ToString()));
}
