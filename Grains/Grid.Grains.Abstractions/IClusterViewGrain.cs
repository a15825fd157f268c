namespace Grid.Grains;

/// <summary>
/// The grid at a glance (one grain, key <see cref="Key"/>): GPU grains push their reports to it about once a second, and
/// the admin API asks it for one <see cref="ClusterSnapshot"/> instead of polling every grain. In memory only: after a
/// loss it fills again from the next round of reports.
/// </summary>
[Alias("grid.IClusterViewGrain")]
public interface IClusterViewGrain : IGrainWithStringKey
{
    public const string Key = "cluster";

    /// <summary>A GPU's report; the answer says whether its silo drains (a GPU that missed the drain call learns it here).</summary>
    [Alias("Report"), ResponseTimeout("00:00:05")]
    Task<bool> Report(GpuReport report);

    [Alias("Snapshot")]
    Task<ClusterSnapshot> Snapshot();

    /// <summary>Drains the silo that is grid node <paramref name="node"/>: its GPU grains stop admitting. False when no live silo or GPU is that node.</summary>
    [Alias("Drain")]
    Task<bool> Drain(string node);
}
