using Grid.Engine.KvCache;

namespace Grid.Grains;

/// <summary>
/// Hands the block pool's stored/removed events from the engine thread to the GPU grain's flush timer. Both
/// sides copy through lists they reuse, so a step adds no allocation once the buffer has grown to its peak.
/// </summary>
public sealed class KvEventBuffer
{
    private readonly List<KvEvent> _events = [];
    private readonly Lock _gate = new();

    public void Add(List<KvEvent> events)
    {
        if (events.Count == 0) return;
        lock (_gate) _events.AddRange(events);
    }

    /// <summary>Moves everything buffered into <paramref name="into"/>, oldest first.</summary>
    public void MoveTo(List<KvEvent> into)
    {
        lock (_gate)
        {
            into.AddRange(_events);
            _events.Clear();
        }
    }
}
