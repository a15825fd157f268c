using Grid.Silo.Hosting;

namespace Grid.Silo.Tests;

/// <summary>Grid:Clustering and Grid:AzureStorage: each bad setting stops the host, named; a key is never printed.</summary>
public sealed class AzureStorageOptionsTests
{
    private const string DevConnection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    [Theory]
    [InlineData(new[] { "--clustering", "Consul" }, "Grid:Clustering")]
    [InlineData(new[] { "--clustering", "7" }, "Grid:Clustering")]
    [InlineData(new[] { "--clustering", "Redis" }, "Grid:Redis")]
    [InlineData(new[] { "--clustering", "AzureStorage" }, "Grid:AzureStorage:ConnectionString")]
    [InlineData(new[] { "--clustering", "AzureStorage" }, "Grid:AzureStorage:TableEndpoint")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-table-endpoint", "ftp://account.table.core.windows.net" }, "Grid:AzureStorage:TableEndpoint")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-table-endpoint", "account.table.core.windows.net" }, "Grid:AzureStorage:TableEndpoint")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-storage", "not a connection string" }, "Grid:AzureStorage:ConnectionString")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-storage", "AccountName=x;AccountKey=notbase64!" }, "Grid:AzureStorage:ConnectionString")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-storage", DevConnection, "--Grid:AzureStorage:ManagedIdentityClientId", "me" }, "Grid:AzureStorage:ManagedIdentityClientId")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-storage", DevConnection, "--Grid:AzureStorage:ClusteringTable", "1silos" }, "Grid:AzureStorage:ClusteringTable")]
    [InlineData(new[] { "--clustering", "AzureStorage", "--azure-storage", DevConnection, "--Grid:AzureStorage:RequestsTable", "grid-requests" }, "Grid:AzureStorage:RequestsTable")]
    [InlineData(new[] { "--kubernetes", "true" }, "Grid:Kubernetes")]
    [InlineData(new[] { "--kubernetes", "true", "--redis", "127.0.0.1:6379" }, "Grid:AdvertisedAddress")]
    [InlineData(new[] { "--kubernetes", "yes" }, "Grid:Kubernetes")]
    public void A_bad_clustering_setting_stops_the_host_naming_it(string[] args, string named)
    {
        var act = () => SiloHost.Build(args, TextWriter.Null);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains(named));
    }

    [Fact]
    public void Every_bad_setting_is_named_at_once()
    {
        var options = new GridClusterOptions
        {
            Clustering = ClusteringKind.AzureStorage,
            AzureStorage = new GridAzureStorageOptions { TableEndpoint = "nowhere", ManagedIdentityClientId = "me", RequestsTable = "x" },
            ClusterId = " ",
        };
        var act = options.Validate;
        act.Should().Throw<ArgumentException>().Which.Message.Split('\n').Should().SatisfyRespectively(
            m => m.Should().StartWith("Grid:AzureStorage:TableEndpoint"),
            m => m.Should().StartWith("Grid:AzureStorage:ManagedIdentityClientId"),
            m => m.Should().StartWith("Grid:AzureStorage:RequestsTable"),
            m => m.Should().StartWith("Grid:ClusterId"));
    }

    [Fact]
    public void A_bad_connection_string_is_named_without_repeating_it()
    {
        var secret = "AccountName=x;AccountKey=c2VjcmV0c2VjcmV0!";
        var act = () => SiloHost.Build(["--clustering", "AzureStorage", "--azure-storage", secret], TextWriter.Null);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("Grid:AzureStorage:ConnectionString") && !e.Message.Contains("c2VjcmV0c2VjcmV0"));
    }

    [Theory]
    [InlineData(null, null, ClusteringKind.Localhost)]
    [InlineData(null, "127.0.0.1:6379", ClusteringKind.Redis)]
    [InlineData(ClusteringKind.Localhost, "127.0.0.1:6379", ClusteringKind.Localhost)]
    [InlineData(ClusteringKind.AzureStorage, "127.0.0.1:6379", ClusteringKind.AzureStorage)]
    public void Clustering_defaults_to_redis_when_a_redis_server_is_set_else_localhost(ClusteringKind? chosen, string? redis, ClusteringKind expected) =>
        new GridClusterOptions { Clustering = chosen, Redis = redis }.Provider.Should().Be(expected);

    [Fact]
    public void The_clustering_name_is_case_insensitive_and_the_log_line_shows_the_endpoint_not_the_key()
    {
        var log = new StringWriter();
        using var app = SiloHost.Build(["--clustering", "azurestorage", "--azure-storage", DevConnection, "--silo-port", "0", "--gateway-port", "0"], log);
        log.ToString().Should().Contain("through Azure Table storage http://127.0.0.1:10002/devstoreaccount1").And.Contain("GridSilos")
            .And.NotContain("AccountKey").And.NotContain("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq");
    }

    /// <summary>Both set: the connection string wins (the endpoint is for managed identity).</summary>
    [Fact]
    public void With_both_a_connection_string_and_an_endpoint_the_connection_string_wins()
    {
        var both = new GridAzureStorageOptions { ConnectionString = DevConnection, TableEndpoint = "https://elsewhere.table.core.windows.net" };
        both.Problems("Grid").Should().BeEmpty();
        both.Client().Uri.Should().Be(new Uri("http://127.0.0.1:10002/devstoreaccount1"));
        both.Endpoint().Should().StartWith("http://127.0.0.1:10002/devstoreaccount1");
    }

    [Fact]
    public void A_table_endpoint_alone_is_reached_with_a_managed_identity()
    {
        var identity = new GridAzureStorageOptions { TableEndpoint = "https://account.table.core.windows.net", ManagedIdentityClientId = Guid.NewGuid().ToString() };
        identity.Problems("Grid").Should().BeEmpty();
        identity.Client().Uri.Should().Be(new Uri("https://account.table.core.windows.net"));
        identity.Client().AccountName.Should().Be("account");
    }
}
