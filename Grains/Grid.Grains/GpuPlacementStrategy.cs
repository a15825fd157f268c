namespace Grid.Grains;

/// <summary>Places a GPU grain "node/ordinal" on the silo whose node name is "node" (see <see cref="GpuPlacementDirector"/>).</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class GpuPlacementStrategy : PlacementStrategy
{
    public static GpuPlacementStrategy Instance { get; } = new();
}
