namespace Grid.Grains;

/// <summary>
/// The index entry of one shareable block: which GPUs hold it, in memory only. A block nobody holds has no
/// entry, so the grain deactivates as soon as its last holder leaves (or a router's probe found it empty);
/// an entry lost with its silo is a missed hint, not an error: routing falls back to load.
/// </summary>
public sealed class KvBlockGrain : Grain, IKvBlockGrain
{
    private readonly HashSet<string> _holders = new(StringComparer.Ordinal);

    public Task Stored(string gpu)
    {
        _holders.Add(gpu);
        return Task.CompletedTask;
    }

    public Task Removed(string gpu)
    {
        _holders.Remove(gpu);
        DeactivateIfEmpty();
        return Task.CompletedTask;
    }

    public Task<string[]> Holders()
    {
        DeactivateIfEmpty();
        return Task.FromResult(_holders.ToArray());
    }

    private void DeactivateIfEmpty()
    {
        if (_holders.Count == 0) DeactivateOnIdle();
    }
}
