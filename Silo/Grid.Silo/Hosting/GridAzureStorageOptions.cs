using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Identity;

namespace Grid.Silo.Hosting;

/// <summary>
/// Section "Grid:AzureStorage": the storage account whose tables hold the membership and the requests when
/// Grid:Clustering is AzureStorage. Either a connection string (Azurite's development string, or an account key
/// string) or a table endpoint reached with a managed identity. When both are set the connection string wins.
/// </summary>
public sealed partial record GridAzureStorageOptions
{
    public const string Section = "AzureStorage";

    /// <summary>A storage connection string; it may carry an account key, so it is never printed.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>https://ACCOUNT.table.core.windows.net, reached with DefaultAzureCredential when no connection string is set.</summary>
    public string? TableEndpoint { get; init; }

    /// <summary>
    /// The client id of a user-assigned identity to authenticate as; unset, DefaultAzureCredential chooses (on AKS
    /// with workload identity, the AZURE_CLIENT_ID the webhook injects).
    /// </summary>
    public string? ManagedIdentityClientId { get; init; }

    public string ClusteringTable { get; init; } = "GridSilos";

    public string RequestsTable { get; init; } = "GridRequests";

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>A client for the account's table service; nothing is sent until it is used.</summary>
    public TableServiceClient Client() => UsesConnectionString
        ? new TableServiceClient(ConnectionString)
        : new TableServiceClient(new Uri(TableEndpoint!), Credential());

    private DefaultAzureCredential Credential() => string.IsNullOrWhiteSpace(ManagedIdentityClientId)
        ? new DefaultAzureCredential()
        // Both: on AKS the identity comes through workload identity, on a VM or a pod-managed identity through IMDS.
        : new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = ManagedIdentityClientId,
            WorkloadIdentityClientId = ManagedIdentityClientId,
        });

    /// <summary>The table service's address, for logs: never the key.</summary>
    public string Endpoint() => UsesConnectionString ? new TableServiceClient(ConnectionString).Uri.ToString() : TableEndpoint!;

    /// <summary>The bad settings, each named with its key ("Grid:AzureStorage:TableEndpoint: ..."); empty when all can work.</summary>
    public IEnumerable<string> Problems(string prefix)
    {
        var section = $"{prefix}:{Section}";
        if (!UsesConnectionString && string.IsNullOrWhiteSpace(TableEndpoint))
            yield return $"{section}: Azure Storage clustering needs {section}:ConnectionString (--azure-storage) or {section}:TableEndpoint (--azure-table-endpoint, with a managed identity)";
        if (UsesConnectionString)
        {
            // Neither the string nor the parser's message is repeated: both may hold the account key.
            var bad = false;
            try
            {
                var client = new TableServiceClient(ConnectionString);
                bad = client.Uri is not { IsAbsoluteUri: true, Scheme: "https" or "http" } || string.IsNullOrEmpty(client.AccountName);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                bad = true;
            }
            if (bad)
                yield return $"{section}:ConnectionString is not a storage connection string with an account name and a base64 key " +
                    "(expected DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net)";
        }
        if (!string.IsNullOrWhiteSpace(TableEndpoint)
            && !(Uri.TryCreate(TableEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            yield return $"{section}:TableEndpoint must be an absolute https (or http) address such as https://ACCOUNT.table.core.windows.net (got '{TableEndpoint}')";
        if (!string.IsNullOrWhiteSpace(ManagedIdentityClientId) && !Guid.TryParse(ManagedIdentityClientId, out _))
            yield return $"{section}:ManagedIdentityClientId must be a client id (a GUID) (got '{ManagedIdentityClientId}')";
        foreach (var (key, table) in new[] { ("ClusteringTable", ClusteringTable), ("RequestsTable", RequestsTable) })
            if (!TableName().IsMatch(table ?? ""))
                yield return $"{section}:{key} must be 3 to 63 letters and digits starting with a letter (got '{table}')";
        if (string.Equals(ClusteringTable, RequestsTable, StringComparison.OrdinalIgnoreCase))
            yield return $"{section}:RequestsTable must differ from {section}:ClusteringTable (both '{RequestsTable}')";
    }

    // Azure Table names: alphanumeric, starting with a letter, 3 to 63 characters.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
