using System.Net;
using Grid.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace Grid.Silo.Hosting;

/// <summary>A Redis server holds the membership table and the requests.</summary>
public static class RedisClustering
{
    public static void Apply(ISiloBuilder silo, string connection)
    {
        silo.UseRedisClustering(connection);
        // Requests must outlive the silo that holds them: a silo that takes over reads their tokens so far from Redis.
        silo.AddRedisGrainStorage(GridStorage.Requests, (OptionsBuilder<RedisStorageOptions> storage) => storage.Configure<Serializer>((o, serializer) =>
        {
            o.ConfigurationOptions = ConfigurationOptions.Parse(connection);
            // The default JSON serializer leaves out values equal to the CLR default, and reading back then gives the
            // property's initializer instead: a greedy request (Temperature 0, initializer 1) came back sampling.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
    }

    /// <summary>The servers only: a connection string may carry a password.</summary>
    public static string Servers(string connection) =>
        string.Join(",", ConfigurationOptions.Parse(connection).EndPoints.Select(e => e is DnsEndPoint d ? $"{d.Host}:{d.Port}" : e.ToString()));
}
