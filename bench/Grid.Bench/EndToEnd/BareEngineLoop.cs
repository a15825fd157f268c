using System.Diagnostics;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;

namespace Grid.Bench.EndToEnd;

/// <summary>
/// The baseline: the same closed loop played straight into one <see cref="EngineCore"/> on this thread, with
/// no grains, sockets or serialization: a finished request is replaced by the next before the next step.
/// </summary>
public static class BareEngineLoop
{
    public static List<StreamRecord> Run(EngineCore engine, IReadOnlyList<int[]> prompts, int streams, int outputTokens)
    {
        var clock = Stopwatch.StartNew();
        var sent = new Dictionary<string, (double At, double? First, int Prompt)>();
        var records = new List<StreamRecord>(prompts.Count);
        var next = 0;
        void Send()
        {
            var id = next.ToString();
            engine.Add(new EngineRequest(id, prompts[next], new SamplingOptions { Temperature = 0, IgnoreEos = true, MaxTokens = outputTokens }));
            sent[id] = (clock.Elapsed.TotalSeconds, null, prompts[next].Length);
            next++;
        }

        while (next < Math.Min(streams, prompts.Count)) Send();
        while (engine.HasWork)
        {
            var outputs = engine.Step();
            var now = clock.Elapsed.TotalSeconds;
            foreach (var o in outputs)
            {
                var s = sent[o.Id];
                if (o.Token is not null && s.First is null) sent[o.Id] = s = s with { First = now };
                if (o.Finish is null) continue;
                records.Add(new StreamRecord(s.At, s.First ?? now, now, s.Prompt, o.GeneratedTokens));
                sent.Remove(o.Id);
                if (next < prompts.Count) Send();
            }
        }
        return records;
    }
}
