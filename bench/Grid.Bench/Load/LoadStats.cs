using System.Collections.Concurrent;

namespace Grid.Bench.Load;

/// <summary>The load generator's counters, shared by every request task and the once-a-second reporter.</summary>
public sealed class LoadStats
{
    private long _sent, _done, _errors, _tokens;
    private readonly ConcurrentBag<double> _ttft = [];
    private readonly ConcurrentDictionary<string, int> _errorKinds = new();

    public readonly record struct Counts(long Sent, long Done, long Errors, long Tokens);

    public void Sent() => Interlocked.Increment(ref _sent);
    public void Done() => Interlocked.Increment(ref _done);
    public void Tokens(long n) => Interlocked.Add(ref _tokens, n);
    public void FirstToken(double seconds) => _ttft.Add(seconds);

    public void Failed(string why)
    {
        Interlocked.Increment(ref _errors);
        _errorKinds.AddOrUpdate(why, 1, (_, n) => n + 1);
    }

    public Counts Snapshot() => new(Interlocked.Read(ref _sent), Interlocked.Read(ref _done), Interlocked.Read(ref _errors), Interlocked.Read(ref _tokens));

    public double? TtftPercentile(double p) => _ttft.IsEmpty ? null : Serving.Percentiles.Of(_ttft, p);

    public IEnumerable<(string Error, int Count)> ErrorKinds() => _errorKinds.OrderByDescending(e => e.Value).Select(e => (e.Key, e.Value));
}
