using Grid.Engine.KvCache;

namespace Grid.Grains;

/// <summary>
/// What one GPU grain has told the KV block grains, and what it must tell them next: a flush folds the events
/// since the last one into at most one change per block (a block stored and evicted between flushes was never
/// announced and needs no call; one evicted and stored again is still held and needs none either).
/// </summary>
public sealed class KvAnnouncements
{
    private readonly HashSet<ulong> _announced = [];
    private readonly Dictionary<ulong, bool> _latest = [];

    /// <summary>Blocks the KV block grains were told this GPU holds.</summary>
    public IReadOnlyCollection<ulong> Announced => _announced;

    /// <summary>Folds <paramref name="events"/> (oldest first) into <paramref name="changes"/>: (hash, holds) for each block whose announced state changes.</summary>
    public void Fold(List<KvEvent> events, List<(ulong Hash, bool Holds)> changes)
    {
        _latest.Clear();
        foreach (var e in events) _latest[e.Hash] = e.Kind == KvEventKind.Stored;
        foreach (var (hash, holds) in _latest)
        {
            if (holds ? _announced.Add(hash) : _announced.Remove(hash)) changes.Add((hash, holds));
        }
    }

    /// <summary>Everything announced, as removals, for a GPU that stops; afterwards nothing is announced.</summary>
    public void Withdraw(List<(ulong Hash, bool Holds)> changes)
    {
        foreach (var hash in _announced) changes.Add((hash, false));
        _announced.Clear();
    }
}
