using System.Collections.Concurrent;

namespace Grid.Admin.Tests;

/// <summary>
/// A small background load: short requests with prompts of their own (so they share no cached prefix), a few a second,
/// until disposed, which hangs up on those still in flight.
/// </summary>
public sealed class Trickle : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<LiveRequest, bool> _inFlight = new();
    private readonly Task _loop;
    private int _done;

    public int Done => Volatile.Read(ref _done);

    /// <param name="prompt">The n-th request's prompt; by default numbers of its own.</param>
    public Trickle(HttpClient http, string model, double perSecond, int maxTokens, Func<int, string>? prompt = null)
    {
        _loop = Task.Run(async () =>
        {
            var random = new Random(7);
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var text = prompt?.Invoke(n) ?? $"{n} {random.Next()} " + string.Join(' ', Enumerable.Range(0, 12).Select(_ => random.Next(1000, 9999)));
                var request = LiveRequest.Start(http, model, text, maxTokens);
                _inFlight[request] = true;
                _ = request.Finished.ContinueWith(_ =>
                {
                    if (request.Error is null) Interlocked.Increment(ref _done);
                    _inFlight.TryRemove(request, out var _);
                }, TaskScheduler.Default);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1 / perSecond), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        await _loop;
        foreach (var request in _inFlight.Keys) await request.DisposeAsync();
    }
}
