using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Grid.Grains;

/// <summary>
/// Finds the silo that owns a GPU: each silo publishes its node name as silo metadata
/// (<see cref="NodeMetadataKey"/>); a GPU grain goes to the live silo with the key's node name, or
/// fails to activate when none is alive, so its callers place the work elsewhere.
/// </summary>
public sealed class GpuPlacementDirector(ISiloMetadataCache metadata, IOptions<GridSiloOptions> options) : IPlacementDirector
{
    public const string NodeMetadataKey = "grid.node";

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var node = GpuKey.Node(target.GrainIdentity.Key.ToString()!);
        // The local silo's own metadata may not be in its cache yet while it starts its devices.
        if (node == options.Value.NodeName) return Task.FromResult(context.LocalSilo);
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (metadata.GetSiloMetadata(silo).Metadata.TryGetValue(NodeMetadataKey, out var name) && name == node)
                return Task.FromResult(silo);
        }
        throw new OrleansException($"no live silo is node '{node}', so GPU {target.GrainIdentity.Key} cannot run");
    }
}
