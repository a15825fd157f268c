namespace Grid.Grains.Tests;

public static class Generation
{
    public static GenerationRequest Greedy(int[] prompt, int maxTokens = 64) =>
        new(StoriesModel.Id, prompt, new GenerationOptions { Temperature = 0, MaxTokens = maxTokens, IgnoreEos = true });

    /// <summary>Reads a stream to its end; every chunk must start where the last one stopped.</summary>
    public static async Task<(List<int> Tokens, TokenChunk Last)> ReadAll(IRequestGrain request, int from = 0, CancellationToken cancel = default)
    {
        var tokens = new List<int>();
        TokenChunk? last = null;
        await foreach (var chunk in request.Stream(from, cancel).WithCancellation(cancel))
        {
            chunk.Offset.Should().Be(from + tokens.Count, "chunks follow each other without gaps or repeats");
            tokens.AddRange(chunk.Tokens);
            last = chunk;
        }
        last.Should().NotBeNull();
        last!.Finish.Should().NotBeNull("the last chunk says how the request ended");
        return (tokens, last);
    }

    /// <summary>The first <paramref name="count"/> or more tokens of a stream (fewer if it ends first), to act mid-generation.</summary>
    public static async Task<List<int>> ReadFirst(IRequestGrain request, int count = 5)
    {
        var tokens = new List<int>();
        await foreach (var chunk in request.Stream(0))
        {
            tokens.AddRange(chunk.Tokens);
            if (tokens.Count >= count || chunk.Finish is not null) break;
        }
        return tokens;
    }

    /// <summary>
    /// Reads a stream to its end from <paramref name="tokens"/>.Count on, asking again from where it got to whenever the
    /// stream breaks (its grain or silo went away); fails when the request has not ended within <paramref name="seconds"/>.
    /// </summary>
    public static async Task<TokenChunk> ReadAcrossBreaks(IRequestGrain request, List<int> tokens, int seconds = 60)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        TokenChunk? last = null;
        while (last?.Finish is null)
        {
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"the stream stopped at {tokens.Count} tokens for {seconds} s: {await request.Status()}");
            try
            {
                await foreach (var chunk in request.Stream(tokens.Count, deadline.Token).WithCancellation(deadline.Token))
                {
                    chunk.Offset.Should().Be(tokens.Count, "chunks follow each other without gaps or repeats");
                    tokens.AddRange(chunk.Tokens);
                    last = chunk;
                }
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new InvalidOperationException($"the request ended before offset {tokens.Count}: {await request.Status()}");
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                // The stream's grain or silo went away (or the deadline passed: checked above): ask again from where we are.
            }
        }
        return last;
    }
}
