namespace Grid.Grains;

/// <summary>
/// Finds how many leading blocks of a request each GPU caches, asking the KV block index as little as
/// possible: block 0 first (no holder anywhere, the usual case for a new prompt, ends it in one call), then
/// a bisection per group of GPUs that answered alike, so n blocks cost about log2(n) calls, and at most one
/// more per GPU whose prefix length differs from the others'. It assumes that a GPU holding block i also
/// holds blocks 0..i-1: the engine looks prefixes up from the start and its LRU evicts a prefix's tail
/// before its head, so this holds but for a race with eviction; then the estimate is a little long.
/// </summary>
public static class PrefixSearch
{
    /// <summary>Per GPU of <paramref name="gpus"/> holding at least block 0, its number of cached leading blocks.</summary>
    /// <param name="blocks">The request's lookable full blocks.</param>
    /// <param name="holders">The GPUs holding block i (may name GPUs outside <paramref name="gpus"/>).</param>
    public static async Task<Dictionary<string, int>> CachedBlocks(int blocks, IReadOnlyCollection<string> gpus, Func<int, Task<string[]>> holders)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        if (blocks == 0 || gpus.Count == 0) return found;
        var first = Among(gpus, await holders(0), holding: true);
        if (first.Count > 0) await Bisect(1, blocks, first, holders, found);
        return found;
    }

    /// <summary>Every GPU of <paramref name="group"/> caches between <paramref name="lo"/> and <paramref name="hi"/> leading blocks.</summary>
    private static async Task Bisect(int lo, int hi, List<string> group, Func<int, Task<string[]>> holders, Dictionary<string, int> found)
    {
        if (lo == hi)
        {
            // The two halves of a split search run at once; off a grain's scheduler they may finish on two threads.
            lock (found)
                foreach (var gpu in group) found[gpu] = lo;
            return;
        }
        // Does it cache at least mid blocks, i.e. hold block mid - 1? Rounding up makes every answer shrink the range.
        var mid = lo + (hi - lo + 1) / 2;
        var holding = await holders(mid - 1);
        var longer = Among(group, holding, holding: true);
        var shorter = Among(group, holding, holding: false);
        await Task.WhenAll(
            longer.Count > 0 ? Bisect(mid, hi, longer, holders, found) : Task.CompletedTask,
            shorter.Count > 0 ? Bisect(lo, mid - 1, shorter, holders, found) : Task.CompletedTask);
    }

    private static List<string> Among(IEnumerable<string> gpus, string[] holders, bool holding)
    {
        var result = new List<string>();
        foreach (var gpu in gpus)
            if (Array.IndexOf(holders, gpu) >= 0 == holding) result.Add(gpu);
        return result;
    }
}
