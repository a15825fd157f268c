using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Grid.Engine.Chat;
using Grid.Engine.Compute;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Api.Generation;

/// <summary>
/// Serves one model from an in-process <see cref="EngineCore"/> driven on a dedicated thread. The
/// caller keeps ownership of <paramref name="model"/> and <paramref name="backend"/> and disposes them after this.
/// </summary>
public sealed class EngineGenerationService : IGenerationService, IDisposable
{
    private readonly Model _model;
    private readonly EngineLoop _loop;
    private readonly CallPreparer _preparer;

    /// <param name="template">The chat format; null detects it from the model's metadata and vocabulary.</param>
    public EngineGenerationService(string modelId, Model model, IComputeBackend backend, EngineOptions? options = null,
        IChatTemplate? template = null, IClock? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        _model = model;
        _preparer = new CallPreparer(modelId, model, backend.Config.ContextLength, template);
        var engine = new EngineCore(backend, model.Tokenizer, clock ?? new RealClock(), options);
        Models = [_preparer.Card];
        _loop = new EngineLoop(engine, $"engine {modelId}");
    }

    public IReadOnlyList<ModelCard> Models { get; }
    public bool IsReady => true;
    public IChatTemplate Template => _preparer.Template;

    /// <summary>Requests in the engine, KV blocks referenced and requests aborted so far, as of the last step.</summary>
    public int ActiveRequests => _loop.ActiveRequests;
    public int KvBlocksUsed => _loop.KvBlocksUsed;
    public long RequestsAborted => _loop.RequestsAborted;

    public async IAsyncEnumerable<GenerationEvent> Generate(GenerationCall call, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = Prepare(call);
        var outputs = Channel.CreateUnbounded<RequestOutput>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _loop.Add(request, outputs.Writer);
        var previous = request.PromptTokens[^1];
        var finished = false;
        try
        {
            await foreach (var o in outputs.Reader.ReadAllAsync(ct))
            {
                finished = o.Finish is not null;
                var logProbs = o.Token is { } t && o.TopLogProbs is not null ? LogProbs(previous, t, o) : null;
                previous = o.Token ?? previous;
                yield return new GenerationEvent(o.Text, o.Finish)
                {
                    Token = o.Token,
                    PromptTokens = o.PromptTokens,
                    CompletionTokens = o.GeneratedTokens,
                    LogProbs = logProbs,
                };
            }
        }
        finally
        {
            // The caller stopped reading (client gone, or cancelled): the engine must drop the request and free its blocks.
            if (!finished) _loop.Abort(request.Id);
        }
    }

    public void Dispose() => _loop.Dispose();

    private EngineRequest Prepare(GenerationCall call)
    {
        var (tokens, options) = _preparer.Prepare(call);
        return new EngineRequest($"req-{Guid.NewGuid():N}", tokens, options);
    }

    private TokenLogProbs LogProbs(int previous, int token, RequestOutput o) =>
        LogProbTexts.Describe(_model.Tokenizer, previous, token, o.LogProb, o.TopLogProbs!.Select(a => (a.Id, a.LogProb)));
}
