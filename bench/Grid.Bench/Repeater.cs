namespace Grid.Bench;

/// <summary>
/// Runs a measurement once to warm up (JIT, contexts, caches), then until it has <see cref="Reps"/> quiet
/// repetitions, discarding any during which other processes used the CPU. After <see cref="MaxDiscards"/>
/// discards it keeps what it gets and marks the result noisy rather than running forever on a busy machine.
/// </summary>
public sealed class Repeater(int reps, int maxDiscards, QuietMonitor? monitor)
{
    public int Reps => reps;
    public int MaxDiscards => maxDiscards;

    /// <param name="reset">Untimed preparation before every run (clearing KV state).</param>
    /// <param name="run">One repetition; returns the tokens it processed and the time they took.</param>
    public Throughput Measure(Action reset, Func<(long Tokens, TimeSpan Time)> run)
    {
        reset();
        run();

        var kept = new List<double>();
        var discarded = 0;
        var noisy = false;
        while (kept.Count < reps)
        {
            reset();
            monitor?.Start();
            var (tokens, time) = run();
            var quiet = true;
            var others = 0.0;
            if (monitor is not null) quiet = monitor.WasQuiet(out others);
            if (!quiet && discarded < maxDiscards)
            {
                discarded++;
                Console.Error.WriteLine($"    discarded a run: other processes used {others:F2} cores");
                continue;
            }
            noisy |= !quiet;
            kept.Add(tokens / time.TotalSeconds);
        }
        return Throughput.From(kept, discarded, noisy);
    }
}
