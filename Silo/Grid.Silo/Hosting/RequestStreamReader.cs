using System.Runtime.CompilerServices;
using Grid.Grains;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Grid.Silo.Hosting;

/// <summary>
/// A request's chunks in order, from a stream opened at an offset (<c>IRequestGrain.Stream</c>) and opened again from the
/// last offset delivered when it breaks (the grain moved, its silo stopped or died) or stays silent longer than the idle
/// timeout. Silence is how an orphaned enumerator shows (one left on an activation that is gone without telling it, seen
/// once in a drain's handover over Redis): a healthy request that is only queued loses nothing by a reopen.
/// </summary>
public sealed class RequestStreamReader(
    Func<int, CancellationToken, IAsyncEnumerable<TokenChunk>> open, string id, TimeSpan idleTimeout, ILogger log)
{
    /// <summary>Times a stream may break and be reopened before the read fails (silences do not count).</summary>
    public const int MaxReopens = 8;

    private static readonly TimeSpan ReopenPause = TimeSpan.FromMilliseconds(100);

    public async IAsyncEnumerable<TokenChunk> Read([EnumeratorCancellation] CancellationToken ct)
    {
        var offset = 0;
        var reopens = 0;
        while (true)
        {
            var broken = false;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            idle.CancelAfter(idleTimeout);
            await using (var chunks = open(offset, idle.Token).WithCancellation(idle.Token).GetAsyncEnumerator())
            {
                while (true)
                {
                    try
                    {
                        if (!await chunks.MoveNextAsync()) break;
                    }
                    catch (OperationCanceledException) when (idle.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                        log.LogWarning("request {Request}: no tokens for {Idle} at offset {Offset}; reopening", id, idleTimeout, offset);
                        broken = true;
                        break;
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested && IsBreak(e) && ++reopens <= MaxReopens)
                    {
                        log.LogWarning(e, "request {Request}: stream broke at offset {Offset}; reopening", id, offset);
                        broken = true;
                        break;
                    }
                    idle.CancelAfter(idleTimeout);
                    var chunk = chunks.Current;
                    offset = chunk.Offset + chunk.Tokens.Length;
                    yield return chunk;
                    if (chunk.Finish is not null) yield break;
                }
            }
            if (!broken) yield break;
            // A grain that moves off a stopping silo answers at its old place until it has gone: back off a little more each time.
            await Task.Delay(ReopenPause * Math.Max(reopens, 1), ct);
        }
    }

    private static bool IsBreak(Exception e) =>
        e is EnumerationAbortedException or SiloUnavailableException or TimeoutException or OrleansMessageRejectionException;
}
