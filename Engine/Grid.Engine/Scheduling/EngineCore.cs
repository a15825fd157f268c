using Grid.Engine.Compute;
using Grid.Engine.KvCache;
using Grid.Engine.Models.Tokenizers;
using Grid.Engine.Sampling;
using Grid.Engine.Timing;

namespace Grid.Engine.Scheduling;

/// <summary>
/// The serving engine: requests arrive at any time with <see cref="Add"/>, and each <see cref="Step"/>
/// schedules a batch, runs one forward over it, samples, and reports per request the new token and
/// whether and why it finished. One thread drives it; it is not thread-safe.
/// </summary>
public sealed class EngineCore
{
    private readonly IComputeBackend _backend;
    private readonly ITokenizer _tokenizer;
    private readonly IClock _clock;
    private readonly BlockPool _pool;
    private readonly Scheduler _scheduler;
    private readonly Sampler _sampler;
    private readonly ForwardBatch _batch;
    private readonly float[] _logits;
    private readonly List<ScheduledChunk> _chunks;
    private readonly Dictionary<string, Sequence> _sequences = new();
    private readonly List<RequestOutput> _pending = [];
    private readonly EngineOptions _options;
    private long _order;

    public EngineCore(IComputeBackend backend, ITokenizer tokenizer, IClock clock, EngineOptions? options = null)
    {
        _options = options ?? new EngineOptions();
        _options.Validate();
        _backend = backend;
        _tokenizer = tokenizer;
        _clock = clock;
        var budget = _options.MaxBatchTokens == 0 ? backend.MaxBatchTokens : Math.Min(_options.MaxBatchTokens, backend.MaxBatchTokens);
        _pool = new BlockPool(backend.BlockCount, backend.BlockSize, _options.ModelId) { RecordEvents = _options.KvEvents };
        _scheduler = new Scheduler(_pool, _options, budget, Metrics);
        _sampler = new Sampler(backend.Config.VocabSize);
        _batch = new ForwardBatch(budget, _options.MaxSequences);
        _logits = new float[_options.MaxSequences * backend.Config.VocabSize];
        _chunks = new List<ScheduledChunk>(_options.MaxSequences);
    }

    public EngineMetrics Metrics { get; } = new();
    public BlockPool Pool => _pool;
    public bool HasWork => _sequences.Count > 0 || _pending.Count > 0;
    public int RequestCount => _sequences.Count;

    /// <summary>Queues a request; throws, naming the problem, when it can never run here.</summary>
    public void Add(EngineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Options is null || request.PromptTokens is null || request.GeneratedTokens is null)
            throw new ArgumentException("a request needs options, prompt tokens and generated tokens (empty if none)");
        var o = request.Options;
        o.Validate();
        var ctx = _backend.Config.ContextLength;
        var known = request.PromptTokens.Length + request.GeneratedTokens.Length;
        if (string.IsNullOrEmpty(request.Id)) throw new ArgumentException("a request needs an id");
        if (_sequences.ContainsKey(request.Id)) throw new ArgumentException($"request '{request.Id}' is already in the engine");
        if (request.PromptTokens.Length == 0) throw new ArgumentException("the prompt has no tokens");
        if (known >= ctx) throw new ArgumentException($"the prompt has {known} tokens; the model's context holds {ctx}, leaving no room to generate");
        var vocab = _backend.Config.VocabSize;
        foreach (var t in request.PromptTokens.Concat(request.GeneratedTokens))
            if ((uint)t >= (uint)vocab) throw new ArgumentException($"token id {t} is outside the vocabulary (0..{vocab - 1})");
        if (!_options.ChunkedPrefill && known > _scheduler.Budget)
            throw new ArgumentException($"the prompt has {known} tokens, more than a step takes ({_scheduler.Budget}) with chunked prefill off");
        var remaining = Math.Max(0, o.MaxTokens - request.GeneratedTokens.Length);
        var maxLength = request.PromptTokens.Length + request.GeneratedTokens.Length + Math.Min(ctx - known, remaining);
        var blocks = (maxLength + _backend.BlockSize - 1) / _backend.BlockSize;
        if (blocks > _pool.BlockCount)
            throw new ArgumentException($"prompt plus max_tokens needs {blocks} KV blocks; the pool holds {_pool.BlockCount}");

        var arrival = request.ArrivalTime ?? _clock.Now;
        if (arrival < TimeSpan.Zero || arrival > _clock.Now)
            throw new ArgumentException($"arrival time {arrival} is not between the clock's start and now ({_clock.Now})");
        var s = new Sequence(request, _order++, arrival, maxLength, _backend.BlockSize, _tokenizer);
        _sequences.Add(request.Id, s);
        _scheduler.Add(s);
        if (remaining == 0) Finish(s, FinishReason.Length, null, "");
    }

    /// <summary>Moves the block pool's stored/removed events since the last call into <paramref name="into"/> (needs <see cref="EngineOptions.KvEvents"/>).</summary>
    public int DrainKvEvents(List<KvEvent> into) => _pool.DrainEvents(into);

    /// <summary>Empties the prefix cache: frees every cached block no request holds (see <see cref="BlockPool.EvictCached"/>). Returns how many.</summary>
    public int EvictCached()
    {
        var n = _pool.EvictCached();
        UpdateGauges();
        return n;
    }

    /// <summary>Stops a request wherever it is and frees its blocks; its last output says Abort. False if unknown.</summary>
    public bool Abort(string id)
    {
        if (!_sequences.TryGetValue(id, out var s)) return false;
        Finish(s, FinishReason.Abort, null, "");
        return true;
    }

    /// <summary>One step: schedule, forward, sample. Returns the outputs of this step (and of aborts since the last).</summary>
    public IReadOnlyList<RequestOutput> Step()
    {
        var outputs = new List<RequestOutput>(_pending);
        _pending.Clear();
        _scheduler.Schedule(_chunks);
        if (_chunks.Count > 0)
        {
            var started = _clock.Now;
            Run();
            var now = _clock.Now;
            var row = 0;
            foreach (var chunk in _chunks)
            {
                _scheduler.Commit(chunk);
                var s = chunk.Sequence;
                s.FirstScheduled ??= started;
                if (!chunk.NeedsLogits) continue;
                var logits = _logits.AsSpan(row++ * _backend.Config.VocabSize, _backend.Config.VocabSize);
                outputs.Add(Sample(s, logits, now));
            }
            Metrics.Steps++;
        }
        outputs.AddRange(_pending);
        _pending.Clear();
        UpdateGauges();
        return outputs;
    }

    private void Run()
    {
        _batch.Clear();
        foreach (var chunk in _chunks)
        {
            var s = chunk.Sequence;
            var seq = _batch.AddSequence(s.BlockTable);
            var tokens = s.TokenSpan;
            for (var p = chunk.Start; p < chunk.Start + chunk.Count; p++)
                _batch.Add(seq, tokens[p], p, chunk.NeedsLogits && p == chunk.Start + chunk.Count - 1);
            if (chunk.Start < s.PromptLength) Metrics.PromptTokensComputed += Math.Min(chunk.Count, s.PromptLength - chunk.Start);
        }
        _backend.Forward(_batch, _logits);
    }

    private RequestOutput Sample(Sequence s, Span<float> logits, TimeSpan now)
    {
        var o = s.Options;
        var position = s.Length;
        var generated = s.TokenSpan[s.PromptLength..];
        var sampled = _sampler.Sample(logits, o, s.Seed, position, s.TokenSpan[..s.PromptLength], generated);
        s.Append(sampled.Id);
        Metrics.GenerationTokens++;
        if (s.FirstToken is null)
        {
            s.FirstToken = now;
            Metrics.PromptTokens += s.PromptLength;
            Metrics.TimeToFirstToken.Record((now - s.Arrival).TotalSeconds);
            Metrics.QueueTime.Record(((s.FirstScheduled ?? now) - s.Arrival).TotalSeconds);
        }
        else
        {
            Metrics.TimePerOutputToken.Record((now - s.LastToken).TotalSeconds);
        }
        s.LastToken = now;

        var stopToken = (!o.IgnoreEos && _tokenizer.StopIds.Contains(sampled.Id)) || Contains(o.StopTokenIds, sampled.Id);
        var text = stopToken ? "" : s.Decoder.Append(sampled.Id);
        var matched = s.Stops.Append(text);
        FinishReason? finish = stopToken || matched.Stopped ? FinishReason.Stop
            : s.GeneratedCount >= o.MaxTokens || s.Length >= s.MaxLength ? FinishReason.Length
            : null;
        text = matched.Text;
        var output = Output(s, sampled.Id, text, null) with { LogProb = sampled.LogProb, TopLogProbs = sampled.TopLogProbs };
        if (finish is null) return output;

        if (!matched.Stopped) text += s.Stops.Append(s.Decoder.Flush()).Text + s.Stops.Flush();
        Remove(s, finish.Value, now);
        return output with { Text = text, Finish = finish };
    }

    private void Finish(Sequence s, FinishReason reason, int? token, string text)
    {
        Remove(s, reason, _clock.Now);
        _pending.Add(Output(s, token, text, reason));
    }

    private void Remove(Sequence s, FinishReason reason, TimeSpan now)
    {
        _scheduler.Remove(s);
        _sequences.Remove(s.Id);
        if (reason == FinishReason.Abort)
        {
            Metrics.RequestsAborted++;
            return;
        }
        Metrics.RequestsFinished++;
        Metrics.RequestLatency.Record((now - s.Arrival).TotalSeconds);
    }

    private static RequestOutput Output(Sequence s, int? token, string text, FinishReason? finish) =>
        new(s.Id, token, text, finish) { PromptTokens = s.PromptLength, GeneratedTokens = s.GeneratedCount, CachedTokens = s.CachedTokens };

    private static bool Contains(IReadOnlyList<int> ids, int id)
    {
        for (var i = 0; i < ids.Count; i++)
            if (ids[i] == id) return true;
        return false;
    }

    private void UpdateGauges()
    {
        Metrics.Running = _scheduler.RunningCount;
        Metrics.Waiting = _scheduler.WaitingCount;
        Metrics.KvBlocksUsed = _pool.UsedCount;
        Metrics.KvBlocksCached = _pool.CachedCount;
        Metrics.KvBlocksFree = _pool.FreeCount;
    }
}
