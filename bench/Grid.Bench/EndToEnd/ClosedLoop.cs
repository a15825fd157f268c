using System.Diagnostics;

namespace Grid.Bench.EndToEnd;

/// <summary>
/// Keeps <c>streams</c> requests in flight: each of that many workers sends the next prompt as soon as its
/// last one ended, so every path sees the same concurrency whatever its speed.
/// </summary>
public static class ClosedLoop
{
    /// <param name="send">Sends prompt i and streams it; reports the first token through the callback, returns the output token count.</param>
    public static async Task<List<StreamRecord>> Run(int count, int streams, Func<int, Action, Task<(int Prompt, int Output)>> send)
    {
        var clock = Stopwatch.StartNew();
        var next = -1;
        var records = new List<StreamRecord>(count);
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var sent = clock.Elapsed.TotalSeconds;
                double? first = null;
                var (prompt, output) = await send(i, () => first ??= clock.Elapsed.TotalSeconds);
                var end = clock.Elapsed.TotalSeconds;
                lock (gate) records.Add(new StreamRecord(sent, first ?? end, end, prompt, output));
            }
        })));
        return records;
    }
}
