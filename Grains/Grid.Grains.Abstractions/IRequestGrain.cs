namespace Grid.Grains;

/// <summary>
/// One inference request (key: the request id). It owns the prompt, the options and the tokens generated
/// so far, places itself on a GPU and re-admits itself elsewhere if that GPU is lost.
/// </summary>
[Alias("grid.IRequestGrain")]
public interface IRequestGrain : IGrainWithStringKey
{
    /// <summary>Starts generation; repeating the same request is harmless, a different one under the same id is refused.</summary>
    [Alias("Submit")]
    Task Submit(GenerationRequest request);

    /// <summary>
    /// The generated tokens from <paramref name="fromOffset"/> on, as they come; the last chunk carries the
    /// finish and usage. A reader that lost its stream asks again from its last offset: nothing lost, nothing repeated.
    /// </summary>
    [Alias("Stream")]
    IAsyncEnumerable<TokenChunk> Stream(int fromOffset, CancellationToken cancellationToken = default);

    /// <summary>Stops generation and frees its GPU work; streams end with <see cref="GenerationFinish.Abort"/>.</summary>
    [Alias("Cancel")]
    Task Cancel();

    /// <summary>
    /// Moves a running request to another GPU (<paramref name="gpu"/>, or one the router picks among the others): aborts it on
    /// its GPU and re-admits prompt + tokens so far there; the stream goes on with nothing lost or repeated. Returns the new
    /// GPU. Throws InvalidOperationException when the request is not running or no other GPU can take it, ArgumentException
    /// when <paramref name="gpu"/> is its own GPU or does not serve its model.
    /// </summary>
    [Alias("Migrate")]
    Task<string> Migrate(string? gpu = null);

    [Alias("Status")]
    Task<RequestStatus> Status();

    /// <summary>Called by GPU grains with each step's tokens for this request.</summary>
    [Alias("Deliver")]
    Task Deliver(TokenBatch batch);
}
