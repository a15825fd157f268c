using System.Diagnostics;

namespace Grid.Engine.Timing;

/// <summary>
/// Wall time. <see cref="Advance"/> blocks for the duration times <see cref="Scale"/>, so a simulated
/// backend paces a live system like the GPU it stands for (scale 1), or faster (scale below 1).
/// <see cref="Now"/> is unscaled wall time, the same time everything else in the process sees.
/// </summary>
public sealed class RealClock : IClock
{
    // Sleeps overshoot by up to a scheduler tick, so they stop this far short and spin the rest.
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;
    private static readonly long SleepSlackTicks = Stopwatch.Frequency / 1_000;

    private readonly long _start = Stopwatch.GetTimestamp();

    public RealClock(double scale = 1.0)
    {
        if (!double.IsFinite(scale) || scale < 0)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale must be a finite number, 0 or more");
        Scale = scale;
    }

    public double Scale { get; }

    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    public void Advance(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "time cannot run backwards");
        var wait = (long)Math.Min(duration.TotalSeconds * Scale * Stopwatch.Frequency, long.MaxValue / 4);
        if (wait <= 0) return;
        var deadline = Stopwatch.GetTimestamp() + wait;
        while (true)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) return;
            if (left > SpinTicks)
            {
                // Sleeps are whole milliseconds and overshoot, so sleep only while well short of the
                // deadline, then yield the processor until the last stretch, which spins.
                var sleep = (left - SpinTicks - SleepSlackTicks) * 1000 / Stopwatch.Frequency;
                if (sleep >= 1) Thread.Sleep((int)Math.Min(sleep, int.MaxValue));
                else Thread.Yield();
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }
}
