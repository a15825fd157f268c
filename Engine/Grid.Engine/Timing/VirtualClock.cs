namespace Grid.Engine.Timing;

/// <summary>
/// A clock that moves only when told to: <see cref="Advance"/> returns at once, so a simulation of
/// hours of GPU time runs in milliseconds and gives the same timeline on every run.
/// </summary>
public sealed class VirtualClock : IClock
{
    private long _ticks;

    public VirtualClock(TimeSpan start = default)
    {
        if (start < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(start), start, "a clock cannot start before zero");
        _ticks = start.Ticks;
    }

    // Read and advanced through Interlocked so another thread (a metrics reader) never sees a torn value.
    public TimeSpan Now => new(Interlocked.Read(ref _ticks));

    public void Advance(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "time cannot run backwards");
        Interlocked.Add(ref _ticks, duration.Ticks);
    }
}
