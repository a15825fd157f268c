using System.Diagnostics;

namespace Grid.Bench;

/// <summary>
/// Tells how much CPU everything except this process used during a repetition, from /proc/stat (all busy time)
/// minus /proc/self/stat (ours). ggml's threads spin-wait, so even a small slice stolen by another process
/// makes a run several times slower; such runs are thrown away rather than averaged in.
/// </summary>
public sealed class QuietMonitor
{
    // Linux reports both files in USER_HZ ticks, which is 100 on every mainstream kernel.
    const double TicksPerSecond = 100;

    long _busyAtStart;
    long _selfAtStart;
    long _startTimestamp;

    /// <summary>More than this many cores used by others makes a repetition noisy.</summary>
    public double MaxOtherCores { get; init; } = 0.1;

    public static bool Available => File.Exists("/proc/stat") && File.Exists("/proc/self/stat");

    public void Start()
    {
        _busyAtStart = SystemBusyTicks();
        _selfAtStart = SelfTicks();
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Cores' worth of CPU other processes used since <see cref="Start"/>.</summary>
    public double OtherCores()
    {
        var others = SystemBusyTicks() - _busyAtStart - (SelfTicks() - _selfAtStart);
        var seconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        // The two files are sampled a moment apart, and ticks are coarse: forgive one tick of skew.
        return Math.Max(0, others - 1) / TicksPerSecond / Math.Max(seconds, 1e-3);
    }

    public bool WasQuiet(out double otherCores)
    {
        otherCores = OtherCores();
        return otherCores <= MaxOtherCores;
    }

    static long SystemBusyTicks()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is inside user.
        var line = File.ReadLines("/proc/stat").First();
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => i < f.Length ? long.Parse(f[i]) : 0;
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    static long SelfTicks()
    {
        // The command name may hold spaces, so count fields after its closing parenthesis; utime, stime are 14, 15.
        var text = File.ReadAllText("/proc/self/stat");
        var f = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(f[11]) + long.Parse(f[12]);
    }
}
