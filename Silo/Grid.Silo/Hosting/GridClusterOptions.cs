using System.Net;
using StackExchange.Redis;

namespace Grid.Silo.Hosting;

/// <summary>
/// How the silo joins a cluster, from section "Grid": alone on loopback (localhost clustering, requests in
/// memory), or through a Redis server or Azure Table storage that holds the membership table and the requests.
/// </summary>
public sealed record GridClusterOptions
{
    /// <summary>Unset: Redis when <see cref="Redis"/> is set, else Localhost. Names are case-insensitive.</summary>
    public ClusteringKind? Clustering { get; init; }

    public ClusteringKind Provider => Clustering ?? (string.IsNullOrWhiteSpace(Redis) ? ClusteringKind.Localhost : ClusteringKind.Redis);

    /// <summary>A StackExchange.Redis connection string ("host:port"); set, it makes Redis the default clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>Section "Grid:AzureStorage", used when <see cref="Provider"/> is AzureStorage.</summary>
    public GridAzureStorageOptions AzureStorage { get; init; } = new();

    /// <summary>The silo runs in a Kubernetes pod: see <see cref="KubernetesHosting"/>.</summary>
    public bool Kubernetes { get; init; }

    /// <summary>Silos with the same cluster id (and service id) form one cluster.</summary>
    public string ClusterId { get; init; } = "grid";

    /// <summary>Keys the grain state in storage: keep it across deployments that should see the same requests.</summary>
    public string ServiceId { get; init; } = "grid";

    /// <summary>The address other silos and clients reach this one on (Redis clustering); a non-loopback one listens on every interface.</summary>
    public string AdvertisedAddress { get; init; } = "127.0.0.1";

    /// <summary>The Orleans silo-to-silo port; 0 picks a free one.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>The Orleans client gateway port; 0 picks a free one.</summary>
    public int GatewayPort { get; init; } = 30000;

    // Orleans' defaults (10 s probes, 3 misses, 2 votes) leave a dead silo's GPU work stalled for half a
    // minute or more; these declare a killed silo dead in about 2 s on a quiet network.
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public int NumMissedProbesLimit { get; init; } = 2;
    public int NumVotesForDeathDeclaration { get; init; } = 1;

    /// <summary>
    /// How long after a silo is declared dead its grains stay unplaceable, in case it still runs them (Orleans holds
    /// 30 s from the estimated failure, here about 14 s after the declaration, and requests that lived there wait it out).
    /// </summary>
    public TimeSpan DeadSiloLease { get; init; } = TimeSpan.FromSeconds(2);

    public IPAddress Address => IPAddress.Parse(AdvertisedAddress);

    /// <summary>Throws naming every setting that cannot work, one a line.</summary>
    public void Validate()
    {
        var problems = Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join("\n", problems));
    }

    private IEnumerable<string> Problems()
    {
        var all = new List<string?>
        {
            Require(Clustering is null || Enum.IsDefined(Clustering.Value),
                $"Clustering must be one of {string.Join(", ", Enum.GetNames<ClusteringKind>())} (got {Clustering})"),
            Require(Provider != ClusteringKind.Redis || !string.IsNullOrWhiteSpace(Redis), "Redis: Clustering is Redis but no Redis server is set (--redis host:port)"),
        };
        if (!string.IsNullOrWhiteSpace(Redis)) all.Add(RedisProblem());
        if (Provider == ClusteringKind.AzureStorage) all.AddRange(AzureStorage.Problems(GridOptions.Section));
        all.AddRange(
        [
            Require(!string.IsNullOrWhiteSpace(ClusterId), "ClusterId must not be empty"),
            Require(!string.IsNullOrWhiteSpace(ServiceId), "ServiceId must not be empty"),
            Require(IPAddress.TryParse(AdvertisedAddress, out _), $"AdvertisedAddress must be an IP address (got '{AdvertisedAddress}')"),
            Require(SiloPort is >= 0 and <= 65535, $"SiloPort must be 0 (any free port) to 65535 (got {SiloPort})"),
            Require(GatewayPort is >= 0 and <= 65535, $"GatewayPort must be 0 (any free port) to 65535 (got {GatewayPort})"),
            Require(ProbeTimeout > TimeSpan.Zero, $"ProbeTimeout must be positive (got {ProbeTimeout})"),
            Require(NumMissedProbesLimit >= 1, $"NumMissedProbesLimit must be at least 1 (got {NumMissedProbesLimit})"),
            Require(NumVotesForDeathDeclaration >= 1, $"NumVotesForDeathDeclaration must be at least 1 (got {NumVotesForDeathDeclaration})"),
            Require(DeadSiloLease >= TimeSpan.Zero, $"DeadSiloLease must not be negative (got {DeadSiloLease})"),
            Require(!Kubernetes || Provider != ClusteringKind.Localhost,
                "Kubernetes: pods cluster through Redis or AzureStorage (Grid:Clustering), not Localhost"),
            Require(!Kubernetes || !IPAddress.TryParse(AdvertisedAddress, out var a) || !IPAddress.IsLoopback(a),
                "AdvertisedAddress: with Grid:Kubernetes the silo advertises its pod's IP (Grid__AdvertisedAddress from the downward API's status.podIP), not loopback"),
        ]);
        return all.OfType<string>();
    }

    private string? RedisProblem()
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(Redis!);
        }
        catch (ArgumentException e)
        {
            return $"{GridOptions.Section}:Redis: '{Redis}' is not a Redis connection string ({e.Message})";
        }
        return Require(parsed.EndPoints.Count > 0, $"Redis: '{Redis}' names no server (expected host:port)");
    }

    private static string? Require(bool ok, string message) => ok ? null : $"{GridOptions.Section}:{message}";
}
