namespace Grid.Engine.Timing;

/// <summary>
/// Where the engine reads time and spends it. A simulated backend "computes" by advancing the
/// clock, so the same scheduler runs against a <see cref="VirtualClock"/> in tests and capacity
/// plans (instantly, reproducibly) and against a <see cref="RealClock"/> in a live demo.
/// </summary>
public interface IClock
{
    /// <summary>Time since the clock started.</summary>
    TimeSpan Now { get; }

    /// <summary>Lets <paramref name="duration"/> pass: the work that just ran took this long.</summary>
    void Advance(TimeSpan duration);
}
