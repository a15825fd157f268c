namespace Grid.Api.Generation;

/// <summary>
/// What the HTTP API needs from whatever runs the models: an in-process engine today, the grains later.
/// </summary>
public interface IGenerationService
{
    IReadOnlyList<ModelCard> Models { get; }

    /// <summary>True once the models are loaded and requests can be served.</summary>
    bool IsReady { get; }

    /// <summary>
    /// Streams a call's output, one event per step, the last with a finish reason. Refusals (unknown model,
    /// prompt too long) throw <see cref="ApiException"/> from the first MoveNextAsync, before any event;
    /// cancelling <paramref name="ct"/> or disposing the enumerator early stops the generation and frees its resources.
    /// </summary>
    IAsyncEnumerable<GenerationEvent> Generate(GenerationCall call, CancellationToken ct);
}
