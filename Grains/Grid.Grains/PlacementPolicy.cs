namespace Grid.Grains;

/// <summary>How a router picks a GPU among those serving a model.</summary>
public enum PlacementPolicy
{
    /// <summary>
    /// The GPU whose prefix cache holds most of the request's tokens (found through the KV block grains),
    /// weighed against its load (see <see cref="PlacementScorer"/>); with no cached prefix anywhere, as <see cref="LeastLoaded"/>.
    /// </summary>
    PrefixAware,

    /// <summary>The GPU with the fewest requests (running + waiting), then the fewest used KV blocks.</summary>
    LeastLoaded,

    /// <summary>Each GPU in turn (per router activation).</summary>
    RoundRobin,
}
