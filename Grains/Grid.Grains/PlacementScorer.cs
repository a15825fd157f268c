namespace Grid.Grains;

/// <summary>
/// Scores a GPU for a request: score = weight x (cached prefix tokens / request tokens) - requests on the GPU
/// (running + waiting, with the router's own recent placements counted in). A prefix hit saves prefill on that
/// GPU, a request already there costs a share of every step; the weight says how many queued requests a fully
/// cached prompt is worth. Equal hits (none, most often) leave only the load, so it then picks as least-loaded
/// placement does. Pure, so the trade-off is tested without a cluster.
/// </summary>
public sealed class PlacementScorer(double prefixWeight)
{
    /// <summary>Load only: the fewest requests, then the fewest used KV blocks.</summary>
    public static readonly PlacementScorer LeastLoaded = new(0);

    private static readonly IReadOnlyDictionary<string, int> NoneCached = new Dictionary<string, int>();

    public double Score(LoadReport load, int cachedTokens, int tokens) =>
        (tokens > 0 ? prefixWeight * Math.Min(cachedTokens, tokens) / tokens : 0) - load.Requests;

    /// <summary>The GPU with the best score; ties go to fewer used KV blocks, then to the earlier in <paramref name="loads"/>.</summary>
    /// <param name="cachedTokens">Per GPU, the tokens of the request its prefix cache holds; GPUs left out hold none.</param>
    public string Best(IReadOnlyList<LoadReport> loads, IReadOnlyDictionary<string, int>? cachedTokens = null, int tokens = 0)
    {
        if (loads.Count == 0) throw new ArgumentException("no GPU to choose from", nameof(loads));
        cachedTokens ??= NoneCached;
        LoadReport? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var load in loads)
        {
            var score = Score(load, cachedTokens.GetValueOrDefault(load.Gpu), tokens);
            if (best is null || score > bestScore || (score == bestScore && load.UsedBlocks < best.UsedBlocks))
            {
                best = load;
                bestScore = score;
            }
        }
        return best!.Gpu;
    }
}
