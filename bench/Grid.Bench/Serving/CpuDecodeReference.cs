using System.Diagnostics;
using Grid.Engine.Sampling;

namespace Grid.Bench.Serving;

/// <summary>
/// The ceiling serving throughput is read against: 32 sequences decoding together through the same
/// <see cref="Grid.Engine.Scheduling.EngineCore"/>, steps after every sequence has its first token timed.
/// </summary>
public static class CpuDecodeReference
{
    public const int Sequences = 32;
    private const int PromptTokens = 8;

    /// <summary>Aggregate decode tokens per second over <paramref name="steps"/> all-decode steps.</summary>
    public static double Measure(CpuServeTarget target, int steps, int seed)
    {
        var engine = target.CreateEngine(Sequences);
        var random = new Random(seed);
        for (var s = 0; s < Sequences; s++)
        {
            var prompt = ShareGptWorkload.RandomTokens(random, PromptTokens, target.VocabSize);
            engine.Add(new($"d{s}", prompt, new SamplingOptions { Temperature = 0, IgnoreEos = true, MaxTokens = steps + 1 }));
        }
        // Every prompt fits one step, which also samples each sequence's first token; the rest is pure decode.
        var started = 0;
        while (started < Sequences)
            started += engine.Step().Count(o => o.Token is not null && o.GeneratedTokens == 1);
        var tokens = 0L;
        var clock = Stopwatch.StartNew();
        while (engine.HasWork) tokens += engine.Step().Count(o => o.Token is not null);
        return tokens / clock.Elapsed.TotalSeconds;
    }
}
