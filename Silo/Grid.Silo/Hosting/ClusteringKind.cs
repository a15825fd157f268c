namespace Grid.Silo.Hosting;

/// <summary>Where the silos of one cluster find each other and keep the requests that must outlive a silo.</summary>
public enum ClusteringKind
{
    /// <summary>One silo alone on loopback; requests in its memory. One machine, development.</summary>
    Localhost,

    /// <summary>A Redis server holds the membership table and the requests. Self-hosted clusters.</summary>
    Redis,

    /// <summary>Azure Table storage holds both: AKS and Azure, with a key or a managed identity, no server to run.</summary>
    AzureStorage,
}
