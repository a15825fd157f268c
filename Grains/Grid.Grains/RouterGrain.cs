using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Grid.Grains;

/// <summary>
/// Places a model's requests on its GPUs. A stateless worker, so every silo places locally; each
/// activation caches the registry's list briefly; load reports are cached per silo in <see cref="LoadCache"/>.
/// Prefix-aware placement hashes the request's full blocks as the engines do (<see cref="BlockHashes"/>), finds
/// each GPU's cached prefix through the KV block grains (<see cref="PrefixSearch"/>) and weighs it against load
/// (<see cref="PlacementScorer"/>). GPUs whose load report says they drain are left out, whatever the policy.
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
    private PlacementScorer? _scorer;

    public async Task<string> Place(PlaceRequest request)
    {
        var model = this.GetPrimaryKeyString();
        var candidates = (await List(model, request.Exclude.Length > 0)).Except(request.Exclude).ToList();
        if (candidates.Count == 0) throw new InvalidOperationException($"no GPU serves model '{model}'");

        var reports = new List<LoadReport>(candidates.Count);
        var draining = 0;
        foreach (var gpu in candidates)
        {
            // A draining GPU admits nothing new (it would refuse the request); its running requests finish there.
            if (await LoadOf(model, gpu) is { } report)
            {
                if (report.Draining) draining++;
                else reports.Add(report);
            }
        }
        if (reports.Count == 0 && draining > 0)
            throw new InvalidOperationException($"every GPU serving model '{model}' that answers is draining ({draining} of {candidates.Count}); none admits new requests");
        if (reports.Count == 0)
            throw new InvalidOperationException($"none of the {candidates.Count} GPUs serving model '{model}' answers (last: {_lastFailure})");
        if (options.Value.Placement == PlacementPolicy.RoundRobin) return reports[_next++ % reports.Count].Gpu;
        if (options.Value.Placement == PlacementPolicy.LeastLoaded) return loads.TakeLeastLoaded(reports);

        var tokens = request.Tokens ?? [];
        var cached = await CachedTokens(model, tokens, reports);
        var scorer = _scorer ??= new PlacementScorer(options.Value.PrefixWeight);
        var chosen = loads.Take(reports, current => scorer.Best(current, cached, tokens.Length));
        log.LogDebug("request {Request} ({Tokens} tokens) goes to GPU {Gpu}, which caches {Cached} of them",
            request.RequestId, tokens.Length, chosen, cached.GetValueOrDefault(chosen));
        return chosen;
    }

    /// <summary>Per GPU that caches a prefix of the tokens, its length in tokens; empty when the index cannot be asked (placement then goes by load).</summary>
    private async Task<Dictionary<string, int>> CachedTokens(string model, int[] tokens, List<LoadReport> reports)
    {
        var size = options.Value.BlockSize;
        var hashes = BlockHashes.Prefix(model, tokens, size);
        try
        {
            var blocks = await PrefixSearch.CachedBlocks(hashes.Length, reports.ConvertAll(r => r.Gpu),
                i => grains.GetGrain<IKvBlockGrain>(KvBlockKey.Of(model, hashes[i])).Holders());
            return blocks.ToDictionary(b => b.Key, b => b.Value * size, StringComparer.Ordinal);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "the KV block index of model {Model} did not answer; placing by load alone", model);
            return [];
        }
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
            _listed = false;
            try
            {
                await grains.GetGrain<IModelRegistryGrain>(model).Leave(gpu);
            }
            catch (Exception left)
            {
                // The registry may be stopping with that silo: it comes back filled by the heartbeats of live GPUs only.
                log.LogWarning(left, "the registry of model {Model} did not take GPU {Gpu} off its list", model, gpu);
            }
            return null;
        }
    }
}
