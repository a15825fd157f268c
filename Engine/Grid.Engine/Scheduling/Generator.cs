using System.Diagnostics;
using Grid.Engine.Compute;
using Grid.Engine.KvCache;
using Grid.Engine.Models.Tokenizers;
using Grid.Engine.Sampling;

namespace Grid.Engine.Scheduling;

/// <summary>
/// The simplest schedule: one sequence on a backend of its own. The prompt goes in chunks of the
/// backend's batch size, then one token per step until a stop token, a stop string, max tokens or
/// the end of the context. Used by the <c>generate</c> command and by tests. A generator owns its
/// backend's whole KV pool: give each generator a backend of its own.
/// </summary>
public sealed class Generator
{
    private readonly IComputeBackend _backend;
    private readonly ITokenizer _tokenizer;
    private readonly BlockAllocator _blocks;
    private readonly ForwardBatch _batch;
    private readonly Sampler _sampler;
    private readonly float[] _logits;
    private int _busy;

    public Generator(IComputeBackend backend, ITokenizer tokenizer)
    {
        _backend = backend;
        _tokenizer = tokenizer;
        _blocks = new BlockAllocator(backend.BlockCount);
        _batch = new ForwardBatch(backend.MaxBatchTokens, 1);
        _sampler = new Sampler(backend.Config.VocabSize);
        _logits = new float[backend.Config.VocabSize];
    }

    public GenerationStats? LastStats { get; private set; }

    /// <summary>
    /// Streams the tokens generated after <paramref name="prompt"/> (token ids, BOS included if wanted).
    /// Options and prompt are checked here, before anything streams; one generation at a time.
    /// </summary>
    public IEnumerable<GeneratedToken> Generate(int[] prompt, SamplingOptions options, CancellationToken cancel = default)
    {
        options.Validate();
        var ctx = _backend.Config.ContextLength;
        if (prompt.Length == 0) throw new ArgumentException("the prompt has no tokens");
        if (prompt.Length >= ctx)
            throw new ArgumentException($"the prompt has {prompt.Length} tokens; the model's context holds {ctx}, leaving no room to generate");
        var vocab = _backend.Config.VocabSize;
        foreach (var t in prompt)
            if ((uint)t >= (uint)vocab) throw new ArgumentException($"prompt token id {t} is outside the vocabulary (0..{vocab - 1})");
        var maxLength = prompt.Length + Math.Min(ctx - prompt.Length, options.MaxTokens);
        var needed = (maxLength + _backend.BlockSize - 1) / _backend.BlockSize;
        if (needed > _blocks.BlockCount)
            throw new ArgumentException($"prompt plus max_tokens needs {needed} KV blocks; the pool has {_blocks.BlockCount}");
        return Guarded(prompt, options, maxLength, needed, cancel);
    }

    private IEnumerable<GeneratedToken> Guarded(int[] prompt, SamplingOptions options, int maxLength, int needed, CancellationToken cancel)
    {
        // The generator's batch, logits and sampler serve one sequence: a second enumeration at once would corrupt them.
        if (Interlocked.Exchange(ref _busy, 1) == 1)
            throw new InvalidOperationException("this generator is already generating; use one generator per concurrent sequence");
        var table = new int[needed];
        for (var i = 0; i < needed; i++) _blocks.TryAllocate(out table[i]);
        try
        {
            foreach (var token in Run(prompt, options, table, maxLength, cancel)) yield return token;
        }
        finally
        {
            foreach (var b in table) _blocks.Free(b);
            Volatile.Write(ref _busy, 0);
        }
    }

    private IEnumerable<GeneratedToken> Run(int[] prompt, SamplingOptions options, int[] table, int maxLength, CancellationToken cancel)
    {
        var seed = options.SeedOrRandom();
        var decoder = new TokenDecoder(_tokenizer, prompt[^1]);
        var stops = new StopMatcher(options.StopStrings);
        var generated = new List<int>(Math.Min(options.MaxTokens, 4096));
        var clock = Stopwatch.StartNew();

        for (var start = 0; start < prompt.Length; start += _backend.MaxBatchTokens)
        {
            cancel.ThrowIfCancellationRequested();
            var end = Math.Min(prompt.Length, start + _backend.MaxBatchTokens);
            _batch.Clear();
            _batch.AddSequence(table);
            for (var p = start; p < end; p++) _batch.Add(0, prompt[p], p, p == prompt.Length - 1);
            _backend.Forward(_batch, _logits);
        }
        var prefill = clock.Elapsed;
        clock.Restart();

        for (var pos = prompt.Length; ; pos++)
        {
            var sampled = _sampler.Sample(_logits, options, seed, pos, prompt, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(generated));
            generated.Add(sampled.Id);
            var finish = Finish(sampled.Id, options, generated.Count, pos + 1, maxLength);
            var text = finish == FinishReason.Stop && IsStopToken(sampled.Id, options) ? "" : decoder.Append(sampled.Id);
            var matched = stops.Append(text);
            if (matched.Stopped) finish = FinishReason.Stop;
            text = matched.Text;
            if (finish is not null && !matched.Stopped) text += stops.Append(decoder.Flush()).Text + stops.Flush();
            if (finish is not null) LastStats = new GenerationStats(prompt.Length, generated.Count, prefill, clock.Elapsed);
            yield return new GeneratedToken(sampled.Id, text, sampled.LogProb, sampled.TopLogProbs, finish);
            if (finish is not null) yield break;

            cancel.ThrowIfCancellationRequested();
            _batch.Clear();
            _batch.AddSequence(table);
            _batch.Add(0, sampled.Id, pos, true);
            _backend.Forward(_batch, _logits);
        }
    }

    private bool IsStopToken(int id, SamplingOptions o) =>
        (!o.IgnoreEos && _tokenizer.StopIds.Contains(id)) || o.StopTokenIds.Contains(id);

    private FinishReason? Finish(int id, SamplingOptions o, int count, int length, int maxLength) =>
        IsStopToken(id, o) ? FinishReason.Stop
        : count >= o.MaxTokens || length >= maxLength ? FinishReason.Length
        : null;
}
