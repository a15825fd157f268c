using System.Runtime.CompilerServices;
using Grid.Grains;
using Microsoft.Extensions.AI;
using Polly;

namespace Grid.Client;

/// <summary>
/// An <see cref="IChatClient"/> over a Grid cluster: each call becomes a request grain with a fresh id,
/// whose prompt a silo serving the model renders and tokenizes. Submitting and cancelling are retried
/// with per-attempt deadlines (both are safe to repeat); the output stream survives silo losses by
/// reopening from the last offset it received. Stopping the enumeration early cancels the request.
/// </summary>
public sealed class GridChatClient : IChatClient
{
    private readonly IGrainFactory _grains;
    private readonly GridChatClientOptions _options;
    private readonly ResiliencePipeline _calls;
    private readonly ResiliencePipeline _streams;

    public GridChatClient(IGrainFactory grains, GridChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _grains = grains;
        _options = options;
        _calls = Resilience.ForCalls(options);
        _streams = Resilience.ForStreams(options);
        Metadata = new ChatClientMetadata("grid", null, options.Model);
    }

    public ChatClientMetadata Metadata { get; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? _options.Model;
        if (string.IsNullOrEmpty(model)) throw new ArgumentException("no model: set ChatOptions.ModelId or GridChatClientOptions.Model");
        var request = GenerationRequest.FromText(model, ChatMapping.Prompt(messages, options), ChatMapping.Options(options), _options.Priority);
        var id = $"chat-{Guid.NewGuid():N}";
        var grain = _grains.GetGrain<IRequestGrain>(id);
        // Submit is idempotent for one id, so a retry after a lost answer does not start a second generation.
        await _calls.ExecuteAsync(async ct => await grain.Submit(request).WaitAsync(ct), cancellationToken);

        var created = DateTimeOffset.UtcNow;
        var finished = false;
        try
        {
            await foreach (var chunk in new RequestReader(grain, _streams, _options.StreamIdleTimeout).Read(cancellationToken))
            {
                if (chunk.Finish == GenerationFinish.Error)
                {
                    finished = true;
                    throw new InvalidOperationException($"the grid could not run the request: {chunk.Error}");
                }
                finished = chunk.Finish is not null;
                var update = new ChatResponseUpdate(ChatRole.Assistant, chunk.Text)
                {
                    ResponseId = id,
                    MessageId = id,
                    ModelId = model,
                    CreatedAt = created,
                    FinishReason = chunk.Finish is { } f ? ChatMapping.Finish(f) : null,
                    RawRepresentation = chunk,
                };
                if (chunk.Usage is { } usage) update.Contents.Add(new UsageContent(ChatMapping.Usage(usage)));
                yield return update;
                if (finished) yield break;
            }
        }
        finally
        {
            // The caller stopped early or the stream failed for good: the grid must not go on generating for nobody.
            if (!finished) await CancelQuietly(grain);
        }
    }

    private async Task CancelQuietly(IRequestGrain grain)
    {
        try
        {
            await _calls.ExecuteAsync(async ct => await grain.Cancel().WaitAsync(ct), CancellationToken.None);
        }
        catch (Exception)
        {
            // The request ends anyway once no reader is left and its GPU finishes; nothing more to do here.
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
