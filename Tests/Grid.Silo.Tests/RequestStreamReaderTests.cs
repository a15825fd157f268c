using System.Runtime.CompilerServices;
using Grid.Silo.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace Grid.Silo.Tests;

/// <summary>The API's reading of a request grain's stream, against scripted streams (no grains).</summary>
public sealed class RequestStreamReaderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_silent_stream_is_reopened_from_the_last_offset_it_delivered()
    {
        var opened = new List<int>();
        async IAsyncEnumerable<TokenChunk> Open(int offset, [EnumeratorCancellation] CancellationToken ct)
        {
            opened.Add(offset);
            if (offset == 0)
            {
                yield return new TokenChunk(0, [1, 2], "ab");
                // An orphaned enumerator: nothing more, ever, until the reader gives up on it.
                await Task.Delay(Timeout.Infinite, ct);
            }
            yield return new TokenChunk(offset, [3], "c", GenerationFinish.Length);
        }

        var chunks = await Read(new RequestStreamReader(Open, "req-silent", TimeSpan.FromMilliseconds(200), NullLogger.Instance));

        chunks.SelectMany(c => c.Tokens).Should().Equal(1, 2, 3);
        opened.Should().Equal(0, 2);
    }

    [Fact]
    public async Task A_broken_stream_is_reopened_and_too_many_breaks_fail_the_read()
    {
        var opened = 0;
        async IAsyncEnumerable<TokenChunk> Open(int offset, [EnumeratorCancellation] CancellationToken ct)
        {
            opened++;
            await Task.Yield();
            yield return new TokenChunk(offset, [offset], "x");
            throw new EnumerationAbortedException("the grain moved");
        }

        var reader = new RequestStreamReader(Open, "req-broken", TimeSpan.FromSeconds(30), NullLogger.Instance);
        var act = () => Read(reader);

        await act.Should().ThrowAsync<EnumerationAbortedException>();
        opened.Should().Be(RequestStreamReader.MaxReopens + 1);
    }

    [Fact]
    public async Task A_quiet_stream_within_the_idle_timeout_is_not_reopened()
    {
        var opened = 0;
        async IAsyncEnumerable<TokenChunk> Open(int offset, [EnumeratorCancellation] CancellationToken ct)
        {
            opened++;
            for (var i = offset; i < 5; i++)
            {
                await Task.Delay(20, ct);
                yield return new TokenChunk(i, [i], "x", i == 4 ? GenerationFinish.Stop : null);
            }
        }

        var chunks = await Read(new RequestStreamReader(Open, "req-quiet", TimeSpan.FromSeconds(30), NullLogger.Instance));

        chunks.Should().HaveCount(5);
        opened.Should().Be(1);
    }

    private static async Task<List<TokenChunk>> Read(RequestStreamReader reader)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var chunks = new List<TokenChunk>();
        await foreach (var chunk in reader.Read(cts.Token)) chunks.Add(chunk);
        return chunks;
    }
}
