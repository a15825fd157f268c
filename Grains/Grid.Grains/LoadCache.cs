using System.Diagnostics;

namespace Grid.Grains;

/// <summary>
/// GPU load reports as this silo last saw them, shared by all its router activations (a stateless
/// worker has several): each placement counts into the chosen GPU's report until the next fresh
/// one, so a burst of placements spreads instead of piling onto the GPU that looked idlest.
/// </summary>
public sealed class LoadCache
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<string, (LoadReport Report, long At)> _reports = new();
    private readonly Lock _gate = new();

    public LoadReport? Fresh(string gpu)
    {
        lock (_gate)
            return _reports.TryGetValue(gpu, out var r) && Stopwatch.GetElapsedTime(r.At) < MaxAge ? r.Report : null;
    }

    public void Store(LoadReport report)
    {
        lock (_gate) _reports[report.Gpu] = (report, Stopwatch.GetTimestamp());
    }

    public void Forget(string gpu)
    {
        lock (_gate) _reports.Remove(gpu);
    }

    /// <summary>Picks the least loaded of <paramref name="reports"/> by the cached counts and counts the new request into it.</summary>
    public string TakeLeastLoaded(IReadOnlyList<LoadReport> reports)
    {
        lock (_gate)
        {
            LoadReport? best = null;
            foreach (var fetched in reports)
            {
                var r = _reports.TryGetValue(fetched.Gpu, out var c) ? c.Report : fetched;
                if (best is null || (r.Requests, r.UsedBlocks).CompareTo((best.Requests, best.UsedBlocks)) < 0) best = r;
            }
            var at = _reports.TryGetValue(best!.Gpu, out var old) ? old.At : Stopwatch.GetTimestamp();
            _reports[best.Gpu] = (best with { Requests = best.Requests + 1 }, at);
            return best.Gpu;
        }
    }
}
