using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// Byte-level BPE as GPT-2, Qwen2 and Llama 3 GGUF files carry it (tokenizer.ggml.model = gpt2): special
/// tokens are cut out first, the rest is split into words by the pre-tokenizer's regex, each word's UTF-8
/// bytes are spelt in GPT-2's byte alphabet and merged pairwise, lowest merge rank first.
/// </summary>
public sealed class BpeTokenizer : ITokenizer
{
    // GGUF token_type values.
    private const int Unknown = 2, Control = 3, UserDefined = 4;


    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;
    private readonly Dictionary<long, (int Rank, int Id)> _merges;
    private readonly int[] _byteIds;
    private readonly byte[][] _pieces;
    private readonly SpecialTokenMatcher _specials;
    private readonly Regex _split;
    private readonly bool _ignoreMerges;
    private readonly int _unknownId = -1;

    public BpeTokenizer(IReadOnlyList<string> tokens, IReadOnlyList<string> merges, IReadOnlyList<int>? tokenTypes,
        int bosId, int eosId, string preTokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(merges);
        if (tokenTypes is not null && tokenTypes.Count != tokens.Count)
            throw new ArgumentException($"token types ({tokenTypes.Count}) and tokens ({tokens.Count}) differ in count", nameof(tokenTypes));
        if (bosId >= tokens.Count) throw new ArgumentOutOfRangeException(nameof(bosId), bosId, "BOS id is outside the vocabulary");
        if (eosId >= tokens.Count) throw new ArgumentOutOfRangeException(nameof(eosId), eosId, "EOS id is outside the vocabulary");

        VocabSize = tokens.Count;
        BosId = bosId;
        EosId = eosId;
        _split = PreTokenizer.For(preTokenizer);
        _ignoreMerges = PreTokenizer.IgnoresMerges(preTokenizer);

        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        var specials = new List<(string, int)>();
        _pieces = new byte[tokens.Count][];
        for (var i = 0; i < tokens.Count; i++)
        {
            ids.TryAdd(tokens[i], i);
            var type = tokenTypes?[i] ?? 1;
            if (type is Control or UserDefined) specials.Add((tokens[i], i));
            if (type == Unknown && _unknownId < 0) _unknownId = i;
            // Control tokens add no text; user-defined ones are stored as plain text, not in the byte alphabet.
            _pieces[i] = type switch
            {
                Control => [],
                UserDefined => Encoding.UTF8.GetBytes(tokens[i]),
                _ => ByteLevel.Decode(tokens[i]),
            };
        }
        _ids = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _specials = new SpecialTokenMatcher(specials);

        _byteIds = new int[256];
        for (var b = 0; b < 256; b++)
            _byteIds[b] = _ids.TryGetValue([ByteLevel.ToChar((byte)b)], out var id) ? id : -1;

        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var merge = merges[rank];
            var space = merge.IndexOf(' ');
            if (space <= 0) continue;
            // A merge whose parts or result are not tokens can never fire; skip it rather than fail the load.
            if (!ids.TryGetValue(merge[..space], out var left) || !ids.TryGetValue(merge[(space + 1)..], out var right)
                || !ids.TryGetValue(string.Concat(merge.AsSpan(0, space), merge.AsSpan(space + 1)), out var result)) continue;
            _merges.TryAdd(Key(left, right), (rank, result));
        }

        var stops = new HashSet<int>();
        if (eosId >= 0) stops.Add(eosId);
        foreach (var name in EndOfTurn.Names)
            if (ids.TryGetValue(name, out var id)) stops.Add(id);
        StopIds = stops.ToFrozenSet();
    }

    public int VocabSize { get; }
    public int BosId { get; }
    public int EosId { get; }
    public IReadOnlySet<int> StopIds { get; }

    public int[] Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<int>(text.Length / 3 + 2);
        if (addBos && BosId >= 0) output.Add(BosId);
        var merger = new PairQueue();
        var pos = 0;
        while (pos <= text.Length)
        {
            var (start, length, id) = _specials.FindNext(text, pos);
            EncodeOrdinary(text.AsSpan(pos, start - pos), output, merger);
            if (id < 0) break;
            output.Add(id);
            pos = start + length;
        }
        return output.ToArray();
    }

    public ReadOnlySpan<byte> Piece(int previous, int token)
    {
        if ((uint)token >= (uint)_pieces.Length) throw new ArgumentOutOfRangeException(nameof(token), token, "token id is outside the vocabulary");
        return _pieces[token];
    }

    private void EncodeOrdinary(ReadOnlySpan<char> segment, List<int> output, PairQueue queue)
    {
        if (segment.IsEmpty) return;
        foreach (var m in _split.EnumerateMatches(segment))
        {
            var word = segment.Slice(m.Index, m.Length);
            var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(word.Length));
            var chars = ArrayPool<char>.Shared.Rent(bytes.Length);
            var n = Encoding.UTF8.GetBytes(word, bytes);
            for (var i = 0; i < n; i++) chars[i] = ByteLevel.ToChar(bytes[i]);
            if (_ignoreMerges && _ids.TryGetValue(chars.AsSpan(0, n), out var whole)) output.Add(whole);
            else Merge(bytes.AsSpan(0, n), output, queue);
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Merges one word's byte tokens, lowest rank first (leftmost among equals), through a queue of
    /// candidate pairs that is checked lazily: a pair whose sides have since changed is dropped on pop.
    /// </summary>
    private void Merge(ReadOnlySpan<byte> word, List<int> output, PairQueue queue)
    {
        var n = word.Length;
        var ids = new int[n];
        var next = new int[n];
        var prev = new int[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = _byteIds[word[i]];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        queue.Clear();
        for (var i = 0; i + 1 < n; i++) Offer(i, i + 1);

        while (queue.TryDequeue(out var pair, out _))
        {
            var (left, right, leftId, rightId, result) = pair;
            if (next[left] != right || ids[left] != leftId || ids[right] != rightId) continue;
            ids[left] = result;
            ids[right] = -2;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) Offer(prev[left], left);
            if (next[left] >= 0) Offer(left, next[left]);
        }

        for (var i = 0; i >= 0; i = next[i])
        {
            // A byte missing from the vocabulary becomes the unknown token, or is dropped when there is none.
            if (ids[i] >= 0) output.Add(ids[i]);
            else if (_unknownId >= 0) output.Add(_unknownId);
        }

        void Offer(int left, int right)
        {
            if (ids[left] < 0 || ids[right] < 0 || !_merges.TryGetValue(Key(ids[left], ids[right]), out var m)) return;
            queue.Enqueue((left, right, ids[left], ids[right], m.Id), ((long)m.Rank << 32) | (uint)left);
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Candidate merges by (rank, left position).</summary>
    private sealed class PairQueue : PriorityQueue<(int Left, int Right, int LeftId, int RightId, int Result), long>;
}
