using System.Diagnostics;

namespace Grid.Grains;

/// <summary>
/// GPU load reports as this silo last saw them, shared by all its router activations (a stateless
/// worker has several): each placement counts into the chosen GPU's report until the next fresh
/// one, so a burst of placements spreads instead of piling onto the GPU that looked idlest.
/// </summary>
public sealed class LoadCache(TimeSpan maxAge)
{
    private readonly Dictionary<string, (LoadReport Report, long At)> _reports = new();
    private readonly Lock _gate = new();

    public LoadCache()
        : this(TimeSpan.FromMilliseconds(200))
    {
    }

    public LoadReport? Fresh(string gpu)
    {
        lock (_gate)
            return _reports.TryGetValue(gpu, out var r) && IsFresh(r.At) ? r.Report : null;
    }

    /// <summary>
    /// Keeps a report just fetched, unless another router activation stored a fresh one meanwhile: that one
    /// carries the placements counted in since, which a concurrent fetch would otherwise wipe out.
    /// </summary>
    public void Store(LoadReport report)
    {
        lock (_gate)
        {
            if (_reports.TryGetValue(report.Gpu, out var r) && IsFresh(r.At)) return;
            _reports[report.Gpu] = (report, Stopwatch.GetTimestamp());
        }
    }

    public void Forget(string gpu)
    {
        lock (_gate) _reports.Remove(gpu);
    }

    /// <summary>Picks the least loaded of <paramref name="reports"/> by the cached counts and counts the new request into it.</summary>
    public string TakeLeastLoaded(IReadOnlyList<LoadReport> reports) => Take(reports, current => PlacementScorer.LeastLoaded.Best(current));

    /// <summary>
    /// Lets <paramref name="choose"/> pick among <paramref name="reports"/> as cached (with the placements counted in
    /// so far), and counts the new request into the chosen GPU, in one step so concurrent placements see each other.
    /// </summary>
    public string Take(IReadOnlyList<LoadReport> reports, Func<IReadOnlyList<LoadReport>, string> choose)
    {
        lock (_gate)
        {
            var current = new List<LoadReport>(reports.Count);
            foreach (var fetched in reports)
                current.Add(_reports.TryGetValue(fetched.Gpu, out var c) ? c.Report : fetched);
            var gpu = choose(current);
            var chosen = current.Find(r => r.Gpu == gpu) ?? throw new InvalidOperationException($"chose {gpu}, which is not among the reports");
            var at = _reports.TryGetValue(gpu, out var old) ? old.At : Stopwatch.GetTimestamp();
            _reports[gpu] = (chosen with { Requests = chosen.Requests + 1 }, at);
            return gpu;
        }
    }

    private bool IsFresh(long at) => Stopwatch.GetElapsedTime(at) < maxAge;
}
