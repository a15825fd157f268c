namespace Grid.Silo.Hosting;

/// <summary>
/// Whether this host drains (it answers not ready and takes no new API calls), and how many API generations it
/// serves now: the drain waits for them, since a stream served here ends when the process does.
/// </summary>
public sealed class DrainState
{
    private int _open;
    private volatile bool _draining;

    public bool Draining => _draining;

    /// <summary>Generations served now (each choice of an API call counts once).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>From now on <see cref="TryOpen"/> refuses; calls already counted go on.</summary>
    public void Begin() => _draining = true;

    /// <summary>
    /// Counts a generation until the handle is disposed; null while draining. The count goes up before the check, so a
    /// drain that began meanwhile either refuses this call or sees it counted: it never misses one.
    /// </summary>
    public IDisposable? TryOpen()
    {
        Interlocked.Increment(ref _open);
        if (!_draining) return new Handle(this);
        Interlocked.Decrement(ref _open);
        return null;
    }

    private sealed class Handle(DrainState state) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref state._open);
        }
    }
}
