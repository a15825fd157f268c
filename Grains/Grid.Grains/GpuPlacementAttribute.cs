using Orleans.Placement;

namespace Grid.Grains;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class GpuPlacementAttribute() : PlacementAttribute(GpuPlacementStrategy.Instance);
