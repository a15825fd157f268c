using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Grid.Grains;
using Polly;

namespace Grid.Client;

/// <summary>
/// Reads a request's chunks in order, whatever happens to the silos: a stream that breaks (its grain
/// moved, its silo died, it went quiet too long) is reopened from the last offset it delivered, so
/// nothing is lost and nothing repeated; a plain retry from the start would repeat tokens.
/// </summary>
internal sealed class RequestReader(IRequestGrain grain, ResiliencePipeline reopen, TimeSpan idleTimeout)
{
    private int _offset;

    public async IAsyncEnumerable<TokenChunk> Read([EnumeratorCancellation] CancellationToken ct)
    {
        // The Polly pipeline runs the reading, one attempt per (re)opened stream; a channel hands the chunks over.
        var chunks = Channel.CreateUnbounded<TokenChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                await reopen.ExecuteAsync(token => ReadOnce(chunks.Writer, token), stop.Token);
                chunks.Writer.TryComplete();
            }
            catch (Exception e)
            {
                chunks.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(ct)) yield return chunk;
        }
        finally
        {
            await stop.CancelAsync();
            await reading;
        }
    }

    /// <summary>One stream from the offset reached so far until the request ends; a silence longer than the idle timeout breaks it.</summary>
    private async ValueTask ReadOnce(ChannelWriter<TokenChunk> into, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(idleTimeout);
        try
        {
            await foreach (var chunk in grain.Stream(_offset, idle.Token).WithCancellation(idle.Token))
            {
                idle.CancelAfter(idleTimeout);
                if (chunk.Offset != _offset)
                    throw new InvalidOperationException($"the grid sent a chunk at offset {chunk.Offset} where {_offset} was asked for");
                _offset += chunk.Tokens.Length;
                await into.WriteAsync(chunk, ct);
                if (chunk.Finish is not null) return;
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new StreamIdleException(idleTimeout);
        }
        throw new EndOfStreamException($"the request's stream ended at offset {_offset} without saying how the request finished");
    }
}
