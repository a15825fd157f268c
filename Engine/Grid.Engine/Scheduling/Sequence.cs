using Grid.Engine.Models.Tokenizers;
using Grid.Engine.Sampling;

namespace Grid.Engine.Scheduling;

/// <summary>
/// A request inside the engine: its tokens (prompt, then generated), how many of them have their
/// KV computed, and its block table. The scheduler's one rule works on these two counts: each step
/// a scheduled sequence's computed tokens catch up with its tokens, a chunk at a time.
/// </summary>
internal sealed class Sequence
{
    private readonly List<int> _tokens;

    public Sequence(EngineRequest request, long order, TimeSpan arrival, int maxLength, int blockSize, ITokenizer tokenizer)
    {
        Request = request;
        Order = order;
        Arrival = arrival;
        PromptLength = request.PromptTokens.Length;
        MaxLength = maxLength;
        _tokens = new List<int>(maxLength);
        _tokens.AddRange(request.PromptTokens);
        _tokens.AddRange(request.GeneratedTokens);
        var blocks = (maxLength + blockSize - 1) / blockSize;
        BlockTable = new int[blocks];
        BlockHashes = new ulong[blocks];
        Seed = request.Options.SeedOrRandom();
        Decoder = ResumedDecoder(tokenizer, _tokens, request.GeneratedTokens.Length);
        Stops = new StopMatcher(request.Options.StopStrings);
    }

    /// <summary>Generated tokens a re-admitted request's decoder reads again: more than the bytes of a character held back (at most 3).</summary>
    private const int ReplayedTokens = 8;

    /// <summary>
    /// A decoder that goes on where the engine that generated the tokens so far left off (a request re-admitted after a
    /// move or a lost GPU): its last tokens read again, their text dropped (it was streamed then), so the bytes of a
    /// character split across tokens that were held back join the next tokens here instead of being lost.
    /// </summary>
    private static TokenDecoder ResumedDecoder(ITokenizer tokenizer, List<int> tokens, int generated)
    {
        var replay = Math.Min(ReplayedTokens, generated);
        var decoder = new TokenDecoder(tokenizer, tokens[tokens.Count - replay - 1]);
        for (var i = tokens.Count - replay; i < tokens.Count; i++) decoder.Append(tokens[i]);
        return decoder;
    }

    public EngineRequest Request { get; }
    public string Id => Request.Id;
    public SamplingOptions Options => Request.Options;

    /// <summary>Admission order: ties in priority go first come, first served.</summary>
    public long Order { get; }
    public TimeSpan Arrival { get; }
    public int PromptLength { get; }

    /// <summary>Prompt plus the most tokens this request may reach (max_tokens, or the context).</summary>
    public int MaxLength { get; }
    public ulong Seed { get; }
    public TokenDecoder Decoder { get; }
    public StopMatcher Stops { get; }

    public IReadOnlyList<int> Tokens => _tokens;
    public int Length => _tokens.Count;
    public int GeneratedCount => _tokens.Count - PromptLength;
    public ReadOnlySpan<int> TokenSpan => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens);

    /// <summary>Tokens whose K and V are in the cache.</summary>
    public int Computed { get; set; }

    /// <summary>Of those, how many came from the prefix cache at the last admission.</summary>
    public int CachedTokens { get; set; }

    /// <summary>Block ids for positions 0.. (entries past <see cref="BlockCount"/> are unused).</summary>
    public int[] BlockTable { get; }
    public int BlockCount { get; set; }

    /// <summary>Chained hashes of the full blocks registered so far (prefix caching).</summary>
    public ulong[] BlockHashes { get; }
    public int RegisteredBlocks { get; set; }

    public bool Running { get; set; }
    public bool PrefixLookedUp { get; set; }
    public int Preemptions { get; set; }
    public TimeSpan? FirstScheduled { get; set; }
    public TimeSpan? FirstToken { get; set; }
    public TimeSpan LastToken { get; set; }

    public void Append(int token) => _tokens.Add(token);
}
