using System.Diagnostics;
using Grid.Engine.Sampling;

namespace Grid.Bench.Serving;

/// <summary>
/// The simulated backend's own checks: that a long simulated workload runs fast in wall time, and that a pure
/// batched decode runs at the speed the roofline arithmetic says it should.
/// </summary>
public static class SimChecks
{
    public const int DecodeBatch = 64;
    private const int DecodePrompt = 16;

    /// <summary>Serves ShareGPT-shaped arrivals spread over <paramref name="minutes"/> of virtual time and reports the wall time taken.</summary>
    public static void LongRun(SimServeTarget target, ServeOptions options, Slo slo, ServeResults results)
    {
        var seconds = options.SimMinutes * 60;
        var count = (int)Math.Round(options.SimBusyRate * seconds);
        var requests = ShareGptWorkload.Create(count, options.SimBusyRate, target.ContextLength, target.VocabSize, options.Seed);
        var (engine, clock) = target.CreateEngine(prefixCaching: true);
        var run = ServeDriver.Run(engine, clock, requests);
        var summary = ServeSummary.From($"{options.SimMinutes:0.#}min@{ServeOptions.RateLabel(options.SimBusyRate)}", options.SimBusyRate, run, slo);
        ServeReport.PrintHeader();
        ServeReport.PrintRow(summary);
        results.Runs.Add(summary);
        results.Checks["longRunVirtualSeconds"] = run.Makespan;
        results.Checks["longRunWallSeconds"] = run.WallSeconds;
        Console.WriteLine($"long run: {count} requests arriving over {seconds:0} s at {options.SimBusyRate:0.#} req/s took {run.Makespan:F1} s of virtual time"
            + $" and {run.WallSeconds:F1} s of wall time ({run.Makespan / run.WallSeconds:F1}x real time; {summary.OutputTokens / run.WallSeconds / 1e3:F0}k tokens per wall second);"
            + $" one-minute goal {(run.WallSeconds < 60 ? "met" : "missed")}");
    }

    /// <summary>
    /// 64 short prompts at t = 0, each generating <paramref name="outputTokens"/>, timed over the steps after every
    /// sequence has its first token; beside it the memory roofline of the same steps: weights + KV read and written, over bandwidth.
    /// </summary>
    public static void Decode(SimServeTarget target, int outputTokens, ServeResults results)
    {
        var (engine, clock, backend) = target.CreateEngine(prefixCaching: false, maxSeqs: DecodeBatch);
        var random = new Random(64);
        var options = new SamplingOptions { Temperature = 0, IgnoreEos = true, MaxTokens = outputTokens };
        for (var s = 0; s < DecodeBatch; s++)
            engine.Add(new($"d{s}", ShareGptWorkload.RandomTokens(random, DecodePrompt, target.VocabSize), options));
        var started = 0;
        while (started < DecodeBatch) started += engine.Step().Count(o => o.Token is not null && o.GeneratedTokens == 1);
        var start = clock.Now;
        var tokens = 0L;
        while (engine.HasWork) tokens += engine.Step().Count(o => o.Token is not null);
        var measured = tokens / (clock.Now - start).TotalSeconds;

        // By hand: the decode steps cover positions DecodePrompt .. DecodePrompt + outputTokens - 2, one token per sequence each.
        var r = backend.Roofline;
        var weights = r.MatmulWeightBytesPerGpu + r.ClassifierBytesPerGpu;
        var seconds = 0.0;
        for (var p = DecodePrompt; p < DecodePrompt + outputTokens - 1; p++)
            seconds += (weights + (double)DecodeBatch * (p + 1 + 1) * r.KvBytesPerTokenPerGpu) / target.Gpu.MemoryBandwidth;
        var roofline = DecodeBatch * (outputTokens - 1) / seconds;
        var ratio = measured / roofline;
        results.Checks["decode64TokensPerSecond"] = measured;
        results.Checks["decode64RooflineTokensPerSecond"] = roofline;
        results.Checks["decode64OverRoofline"] = ratio;
        Console.WriteLine($"decode batch {DecodeBatch} ({DecodePrompt}-token prompts, {outputTokens} output tokens, all at t=0): {measured:F0} tok/s;"
            + $" roofline ({weights / 1e9:F2} GB weights + {r.KvBytesPerTokenPerGpu / 1024} KiB KV per cached token read and written per step, at {target.Gpu.MemoryBandwidth / 1e12:F2} TB/s):"
            + $" {roofline:F0} tok/s; ratio {ratio:F3}");
    }
}
