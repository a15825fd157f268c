namespace Grid.Grains;

/// <summary>How a router picks a GPU among those serving a model.</summary>
public enum PlacementPolicy
{
    /// <summary>The GPU with the fewest requests (running + waiting), then the fewest used KV blocks.</summary>
    LeastLoaded,

    /// <summary>Each GPU in turn (per router activation).</summary>
    RoundRobin,
}
