using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grid.Grains;

/// <summary>
/// Gathers the GPU grains' reports (pushed about once a second from their flush timers) and answers the admin API's
/// cluster snapshot in one call: silos from this silo's view of the membership with their grid node from silo metadata,
/// GPUs and their requests as last reported (a GPU silent for <see cref="GridSiloOptions.ClusterReportExpiry"/> drops
/// out), and totals with the prefix hit rate and latency percentiles of the last minute. It also drains nodes: it tells
/// their GPU grains, and answers every later report from their silos with "drain", so a GPU it missed learns it too.
/// </summary>
/// <remarks>Reentrant: a drain waits for engine threads, and reports must not queue behind it. State changes happen between awaits.</remarks>
[Reentrant]
public sealed class ClusterViewGrain(
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    IGrainFactory grains,
    IOptions<GridSiloOptions> options,
    ILogger<ClusterViewGrain> log) : Grain, IClusterViewGrain
{
    /// <summary>How far back the totals' prefix hit rate and latency percentiles look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, Entry> _gpus = new(StringComparer.Ordinal);
    private readonly Queue<(long At, FinishedRequest Sample)> _finished = new();
    private readonly HashSet<string> _drainingSilos = new(StringComparer.Ordinal);

    public Task<bool> Report(GpuReport report)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_gpus.TryGetValue(report.Gpu, out var entry)) _gpus[report.Gpu] = entry = new Entry();
        entry.Add(report, now);
        foreach (var f in report.Finished) _finished.Enqueue((now, f));
        if (report.Load.Draining) _drainingSilos.Add(report.Silo);
        Prune(now);
        return Task.FromResult(_drainingSilos.Contains(report.Silo));
    }

    public async Task<bool> Drain(string node)
    {
        Prune(Stopwatch.GetTimestamp());
        var silos = Members().Where(m => m.Node == node).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
        var gpus = _gpus.Values.Where(e => GpuKey.Node(e.Report.Gpu) == node).ToList();
        foreach (var e in gpus) silos.Add(e.Report.Silo);
        if (silos.Count == 0) return false;
        _drainingSilos.UnionWith(silos);
        log.LogInformation("node {Node} drains: silo(s) {Silos}, GPU(s) {Gpus}", node, string.Join(", ", silos), string.Join(", ", gpus.Select(e => e.Report.Gpu)));
        // The GPUs this view has heard of drain now; any other learns it from the answer to its next report.
        var calls = gpus.Select(e => grains.GetGrain<IGpuGrain>(e.Report.Gpu).Drain()).ToArray();
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "node {Node}: {Failed} of {Gpus} GPU grains did not hear the drain; their next report tells them", node,
                calls.Count(c => !c.IsCompletedSuccessfully), calls.Length);
        }
        return true;
    }

    public Task<ClusterSnapshot> Snapshot()
    {
        var now = Stopwatch.GetTimestamp();
        Prune(now);
        var silos = Members().Select(m => new SiloView(m.Address, m.Node, m.Status, _drainingSilos.Contains(m.Address))).ToArray();
        var entries = _gpus.Values.OrderBy(e => e.Report.Gpu, StringComparer.Ordinal).ToList();
        var gpus = entries.Select(e =>
        {
            var (r, l) = (e.Report, e.Report.Load);
            return new GpuView(r.Gpu, GpuKey.Node(r.Gpu), r.Backend, r.Model, l.FreeBlocks, l.CachedBlocks, l.UsedBlocks, r.TotalBlocks,
                l.Running, l.Waiting, l.TokensPerSecond, r.PrefixQueryTokens, r.PrefixHitTokens, l.Draining || _drainingSilos.Contains(r.Silo));
        }).ToArray();
        // A request that just moved may still show in its old GPU's last report: the later admission wins.
        var requests = entries
            .SelectMany(e => e.Report.Requests.Select(q => new RequestView(q.Id, e.Report.Gpu, q.Tokens,
                q.AgeSeconds + Stopwatch.GetElapsedTime(e.At, now).TotalSeconds, q.Started ? "Running" : "Waiting")))
            .GroupBy(q => q.Id)
            .Select(g => g.MinBy(q => q.AgeSeconds)!)
            .OrderByDescending(q => q.AgeSeconds)
            .ToArray();
        var (queries, hits) = (0L, 0L);
        foreach (var e in entries)
        {
            var (q, h) = e.PrefixDelta;
            queries += q;
            hits += h;
        }
        var totals = new ClusterTotals(gpus.Sum(g => g.TokensPerSecond), gpus.Sum(g => g.Running), gpus.Sum(g => g.Waiting),
            queries == 0 ? 0 : hits / (double)queries,
            Percentiles(_finished.Select(f => f.Sample.TtftMs)), Percentiles(_finished.Select(f => f.Sample.TpotMs)));
        return Task.FromResult(new ClusterSnapshot(DateTimeOffset.UtcNow, silos, gpus, requests, totals));
    }

    /// <summary>Nearest-rank percentiles of the values given; null when there are none.</summary>
    public static Percentiles? Percentiles(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToArray();
        if (sorted.Length == 0) return null;
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(At(0.5), At(0.9), At(0.99));
    }

    /// <summary>The live silos (not declared dead) as this silo's membership sees them, with their grid node.</summary>
    private IEnumerable<(string Address, string? Node, string Status)> Members() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status != SiloStatus.Dead)
            .OrderBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal)
            .Select(m => (m.SiloAddress.ToParsableString(),
                metadata.GetSiloMetadata(m.SiloAddress).Metadata.TryGetValue(GpuPlacementDirector.NodeMetadataKey, out var node) ? node : null,
                m.Status.ToString()));

    private void Prune(long now)
    {
        var expiry = options.Value.ClusterReportExpiry;
        foreach (var (gpu, e) in _gpus.Where(g => Stopwatch.GetElapsedTime(g.Value.At, now) > expiry).ToList())
        {
            log.LogInformation("GPU {Gpu} stopped reporting; the cluster view forgets it", gpu);
            _gpus.Remove(gpu);
        }
        while (_finished.TryPeek(out var f) && Stopwatch.GetElapsedTime(f.At, now) > Window) _finished.Dequeue();
        foreach (var m in membership.CurrentSnapshot.Members.Values)
        {
            if (m.Status == SiloStatus.Dead) _drainingSilos.Remove(m.SiloAddress.ToParsableString());
        }
    }

    /// <summary>A GPU's last report, and its prefix cache counters over the window, to take differences from.</summary>
    private sealed class Entry
    {
        private readonly Queue<(long At, long Queries, long Hits)> _prefix = new();

        public GpuReport Report { get; private set; } = null!;
        public long At { get; private set; }

        /// <summary>Prefix tokens looked up and found over the window (since the oldest report in it).</summary>
        public (long Queries, long Hits) PrefixDelta
        {
            get
            {
                if (_prefix.Count == 0) return (0, 0);
                var first = _prefix.Peek();
                return (Report.PrefixQueryTokens - first.Queries, Report.PrefixHitTokens - first.Hits);
            }
        }

        public void Add(GpuReport report, long now)
        {
            // Counters that went back mean a new engine: the old ones no longer subtract.
            if (Report is { } last && (report.PrefixQueryTokens < last.PrefixQueryTokens || report.PrefixHitTokens < last.PrefixHitTokens)) _prefix.Clear();
            Report = report;
            At = now;
            _prefix.Enqueue((now, report.PrefixQueryTokens, report.PrefixHitTokens));
            while (_prefix.Count > 1 && Stopwatch.GetElapsedTime(_prefix.Peek().At, now) > Window) _prefix.Dequeue();
        }
    }
}
