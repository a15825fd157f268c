using System.Diagnostics;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Bench.Serving;

/// <summary>
/// Plays a workload into one <see cref="EngineCore"/> on the calling thread. Requests are added once the clock
/// reaches their arrival; while there is work the engine steps; when idle the clock is advanced to the next
/// arrival, which a <see cref="RealClock"/> spends waiting and a <see cref="VirtualClock"/> skips.
/// </summary>
public static class ServeDriver
{
    public static ServeRun Run(EngineCore engine, IClock clock, IReadOnlyList<WorkloadRequest> workload)
    {
        var order = workload.OrderBy(r => r.ArrivalSeconds).ThenBy(r => r.Index).ToArray();
        var traces = new Dictionary<string, Trace>(order.Length);
        var gaps = new List<double>();
        var records = new List<RequestRecord>(order.Length);
        var wall = Stopwatch.StartNew();
        var start = clock.Now;
        double Now() => (clock.Now - start).TotalSeconds;
        var preemptionsBefore = engine.Metrics.Preemptions;

        var next = 0;
        while (records.Count < order.Length)
        {
            while (next < order.Length && order[next].ArrivalSeconds <= Now())
            {
                var w = order[next++];
                var id = w.Index.ToString();
                traces[id] = new Trace(w);
                engine.Add(Request(id, w, start));
            }
            if (!engine.HasWork)
            {
                if (next == order.Length) throw new InvalidOperationException($"the engine went idle with {order.Length - records.Count} requests unfinished");
                var wait = start + TimeSpan.FromSeconds(order[next].ArrivalSeconds) - clock.Now;
                // Round up a tick, or a virtual clock could stop one tick short of the arrival and never reach it.
                if (wait >= TimeSpan.Zero) clock.Advance(wait + TimeSpan.FromTicks(1));
                continue;
            }

            var steps = engine.Metrics.Steps;
            var outputs = engine.Step();
            if (engine.Metrics.Steps == steps && outputs.Count == 0)
                throw new InvalidOperationException("the engine has work but scheduled nothing (too few KV blocks for one request?)");
            var now = Now();
            foreach (var o in outputs)
            {
                var t = traces[o.Id];
                if (o.Token is not null)
                {
                    if (t.FirstToken is null) t.FirstToken = now;
                    else gaps.Add(now - t.LastToken);
                    t.LastToken = now;
                }
                if (o.Finish is not { } finish) continue;
                if (finish != FinishReason.Length || o.GeneratedTokens != t.Workload.OutputTokens)
                    throw new InvalidOperationException($"request {o.Id} finished ({finish}) after {o.GeneratedTokens} tokens; it should generate {t.Workload.OutputTokens}");
                records.Add(new RequestRecord(t.Workload.ArrivalSeconds, t.FirstToken ?? now, now, o.PromptTokens, o.GeneratedTokens, o.CachedTokens));
                traces.Remove(o.Id);
            }
        }
        return new ServeRun(records, gaps, Now(), wall.Elapsed.TotalSeconds, engine.Metrics.Preemptions - preemptionsBefore);
    }

    private static EngineRequest Request(string id, WorkloadRequest w, TimeSpan start) =>
        new(id, w.Prompt, new SamplingOptions { Temperature = 0, IgnoreEos = true, MaxTokens = w.OutputTokens })
        {
            // The scheduled arrival, not when the driver got round to adding it: time spent in a step counts as waiting.
            ArrivalTime = start + TimeSpan.FromSeconds(w.ArrivalSeconds),
        };

    private sealed class Trace(WorkloadRequest workload)
    {
        public WorkloadRequest Workload { get; } = workload;
        public double? FirstToken { get; set; }
        public double LastToken { get; set; }
    }
}
