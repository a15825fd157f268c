using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Grid.Grains;

/// <summary>
/// Places a model's requests on its GPUs. A stateless worker, so every silo places locally; each
/// activation caches the registry's list briefly; load reports are cached per silo in <see cref="LoadCache"/>.
/// </summary>
[StatelessWorker]
public sealed class RouterGrain(IGrainFactory grains, LoadCache loads, IOptions<GridSiloOptions> options, ILogger<RouterGrain> log) : Grain, IRouterGrain
{
    private static readonly TimeSpan ListAge = TimeSpan.FromSeconds(1);
    private string[] _gpus = [];
    private long _listedAt;
    private bool _listed;
    private int _next;
    private string? _lastFailure;

    public async Task<string> Place(PlaceRequest request)
    {
        var model = this.GetPrimaryKeyString();
        var candidates = (await List(model, request.Exclude.Length > 0)).Except(request.Exclude).ToList();
        if (candidates.Count == 0) throw new InvalidOperationException($"no GPU serves model '{model}'");
        if (options.Value.Placement == PlacementPolicy.RoundRobin) return candidates[_next++ % candidates.Count];

        var reports = new List<LoadReport>(candidates.Count);
        foreach (var gpu in candidates)
        {
            if (await LoadOf(model, gpu) is { } report) reports.Add(report);
        }
        if (reports.Count == 0)
            throw new InvalidOperationException($"none of the {candidates.Count} GPUs serving model '{model}' answers (last: {_lastFailure})");
        return loads.TakeLeastLoaded(reports);
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
        if (loads.Fresh(gpu) is { } cached) return cached;
        try
        {
            var report = await grains.GetGrain<IGpuGrain>(gpu).Load();
            loads.Store(report);
            return report;
        }
        catch (Exception e)
        {
            // Its silo is gone (or going): forget it until it joins again.
            log.LogWarning(e, "GPU {Gpu} did not report its load; leaving it out of model {Model}", gpu, model);
            loads.Forget(gpu);
            _lastFailure = $"{gpu}: {e.GetType().Name}: {e.Message}";
            await grains.GetGrain<IModelRegistryGrain>(model).Leave(gpu);
            _listed = false;
            return null;
        }
    }
}
