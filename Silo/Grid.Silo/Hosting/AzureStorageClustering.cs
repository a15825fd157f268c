using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using Grid.Grains;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Grid.Silo.Hosting;

/// <summary>
/// Azure Table storage holds the membership table and the requests: on AKS or Azure VMs with a managed identity
/// (no key in the configuration), or with a connection string (Azurite in the tests).
/// </summary>
public static class AzureStorageClustering
{
    public static void Apply(ISiloBuilder silo, GridAzureStorageOptions options)
    {
        // One client, so one credential and its token cache, for both tables.
        var client = options.Client();
        silo.UseAzureStorageClustering(o =>
        {
            o.TableName = options.ClusteringTable;
            o.TableServiceClient = client;
        });
        AddRequestStorage(silo, client, options.RequestsTable);
    }

    /// <summary>Requests outlive the silo that holds them: a silo that takes over reads their tokens so far from the table.</summary>
    public static void AddRequestStorage(ISiloBuilder silo, TableServiceClient client, string table) =>
        silo.AddAzureTableGrainStorage(GridStorage.Requests, (OptionsBuilder<AzureTableStorageOptions> storage) => storage.Configure<Orleans.Serialization.Serializer>((o, serializer) =>
        {
            o.TableName = table;
            o.TableServiceClient = client;
            // As for Redis: the default JSON serializer drops values equal to the CLR default, and a greedy request
            // (Temperature 0, initializer 1) would come back sampling after a takeover.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));

    /// <summary>
    /// Why the silo could not reach its tables (the account, the network, the identity), from what its start threw;
    /// null for anything else. The storage client's messages carry addresses and status codes, never the key.
    /// </summary>
    public static string? Failure(Exception e) => e switch
    {
        RequestFailedException or AuthenticationFailedException or CredentialUnavailableException => e.Message,
        AggregateException { InnerExceptions: [var first, ..] } => Failure(first),
        _ when e.InnerException is { } inner => Failure(inner),
        _ => null,
    };
}
