using System.Runtime.CompilerServices;
using Grid.Api;
using Grid.Api.Generation;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Grains;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Grid.Silo.Hosting;

/// <summary>
/// Serves the API through the grid: each call becomes a request grain (a fresh id), submitted with the
/// prompt's tokens, whose output stream is read from offset 0 and read again from the last offset when it
/// breaks (the grain moved or its silo died). A caller that stops reading cancels the request. While the host drains
/// it is not ready and refuses new calls with 503; the calls it serves are counted, for the drain to wait for.
/// </summary>
public sealed class GrainGenerationService(CallPreparer preparer, IGrainFactory grains, DrainState drain, ILogger<GrainGenerationService> log)
    : IGenerationService
{
    /// <summary>A stream silent this long is reopened from its last offset (see <see cref="RequestStreamReader"/>).</summary>
    public static readonly TimeSpan StreamIdleTimeout = TimeSpan.FromSeconds(15);

    public IReadOnlyList<ModelCard> Models { get; } = [preparer.Card];
    public bool IsReady => !drain.Draining;

    public async IAsyncEnumerable<GenerationEvent> Generate(GenerationCall call, [EnumeratorCancellation] CancellationToken ct)
    {
        using var counted = drain.TryOpen() ?? throw new ApiException(503,
            "this silo is shutting down and takes no new requests; send the request to another silo", null, "silo_draining", "server_error");
        var (tokens, sampling) = preparer.Prepare(call);
        var id = $"req-{Guid.NewGuid():N}";
        var grain = grains.GetGrain<IRequestGrain>(id);
        try
        {
            await grain.Submit(new GenerationRequest(call.Model, tokens, sampling.ToGrid())
            {
                Operation = call.Messages is null ? "text_completion" : "chat",
            }).WaitAsync(ct);
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest(e.Message, null);
        }

        var finished = false;
        var generated = 0;
        var previous = tokens[^1];
        try
        {
            await foreach (var chunk in new RequestStreamReader(grain.Stream, id, StreamIdleTimeout, log).Read(ct))
            {
                generated = chunk.Offset + chunk.Tokens.Length;
                if (chunk.Finish == GenerationFinish.Error)
                {
                    finished = true;
                    throw new ApiException(503, $"the grid could not run the request: {chunk.Error}", null, "grid_error", "server_error");
                }
                finished = chunk.Finish is not null;
                if (chunk.LogProbs is { } logProbs)
                {
                    // Log-probabilities belong to single tokens: one event per token, the finish on the last.
                    for (var i = 0; i < chunk.Tokens.Length; i++)
                    {
                        var last = i == chunk.Tokens.Length - 1;
                        var lp = logProbs[i];
                        yield return new GenerationEvent(chunk.Texts![i], last && chunk.Finish is { } f ? Mapping.ToEngine(f) : null)
                        {
                            Token = chunk.Tokens[i],
                            PromptTokens = chunk.Usage?.PromptTokens ?? tokens.Length,
                            CompletionTokens = last ? chunk.Usage?.CompletionTokens ?? generated : chunk.Offset + i + 1,
                            LogProbs = LogProbTexts.Describe(preparer.Tokenizer, previous, chunk.Tokens[i], lp.LogProb, lp.TopIds.Zip(lp.TopLogProbs)),
                        };
                        previous = chunk.Tokens[i];
                    }
                    if (chunk.Tokens.Length > 0)
                    {
                        if (finished) yield break;
                        continue;
                    }
                }
                yield return new GenerationEvent(chunk.Text, chunk.Finish is { } f2 ? Mapping.ToEngine(f2) : null)
                {
                    Token = chunk.Tokens.Length > 0 ? chunk.Tokens[^1] : null,
                    PromptTokens = chunk.Usage?.PromptTokens ?? tokens.Length,
                    CompletionTokens = chunk.Usage?.CompletionTokens ?? generated,
                };
                if (finished) yield break;
            }
        }
        finally
        {
            // The caller stopped reading (client gone, or cancelled): the grid must drop the request and free its GPU work.
            if (!finished) await CancelQuietly(grain, id);
        }
    }

    private async Task CancelQuietly(IRequestGrain grain, string id)
    {
        try
        {
            await grain.Cancel().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e)
        {
            log.LogWarning(e, "request {Request}: cancel failed", id);
        }
    }
}
