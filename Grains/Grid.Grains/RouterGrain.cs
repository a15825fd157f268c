using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Grid.Grains;

/// <summary>
/// Places a model's requests on its GPUs. A stateless worker, so every silo places locally; each
/// activation caches the registry's list and the GPUs' load reports briefly, and counts its own
/// placements into the cached reports so a burst spreads instead of piling onto one GPU.
/// </summary>
[StatelessWorker]
public sealed class RouterGrain(IGrainFactory grains, IOptions<GridSiloOptions> options, ILogger<RouterGrain> log) : Grain, IRouterGrain
{
    private static readonly TimeSpan ListAge = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LoadAge = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<string, (LoadReport Report, long At)> _loads = new();
    private string[] _gpus = [];
    private long _listedAt;
    private bool _listed;
    private int _next;

    public async Task<string> Place(PlaceRequest request)
    {
        var model = this.GetPrimaryKeyString();
        var candidates = (await List(model, request.Exclude.Length > 0)).Except(request.Exclude).ToList();
        if (candidates.Count == 0) throw new InvalidOperationException($"no GPU serves model '{model}'");
        if (options.Value.Placement == PlacementPolicy.RoundRobin) return candidates[_next++ % candidates.Count];

        LoadReport? best = null;
        foreach (var gpu in candidates)
        {
            var report = await LoadOf(model, gpu);
            if (report is null) continue;
            if (best is null || (report.Requests, report.UsedBlocks).CompareTo((best.Requests, best.UsedBlocks)) < 0) best = report;
        }
        if (best is null) throw new InvalidOperationException($"none of the {candidates.Count} GPUs serving model '{model}' answers");
        _loads[best.Gpu] = (best with { Requests = best.Requests + 1 }, _loads[best.Gpu].At);
        return best.Gpu;
    }

    private async Task<string[]> List(string model, bool fresh)
    {
        if (fresh || !_listed || Stopwatch.GetElapsedTime(_listedAt) > ListAge)
        {
            _gpus = await grains.GetGrain<IModelRegistryGrain>(model).List();
            _listedAt = Stopwatch.GetTimestamp();
            _listed = true;
        }
        return _gpus;
    }

    private async Task<LoadReport?> LoadOf(string model, string gpu)
    {
        if (_loads.TryGetValue(gpu, out var cached) && Stopwatch.GetElapsedTime(cached.At) < LoadAge) return cached.Report;
        try
        {
            var report = await grains.GetGrain<IGpuGrain>(gpu).Load();
            _loads[gpu] = (report, Stopwatch.GetTimestamp());
            return report;
        }
        catch (Exception e)
        {
            // Its silo is gone (or going): forget it until it joins again.
            log.LogWarning(e, "GPU {Gpu} did not report its load; leaving it out of model {Model}", gpu, model);
            _loads.Remove(gpu);
            await grains.GetGrain<IModelRegistryGrain>(model).Leave(gpu);
            _listed = false;
            return null;
        }
    }
}
