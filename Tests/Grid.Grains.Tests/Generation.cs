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
}
