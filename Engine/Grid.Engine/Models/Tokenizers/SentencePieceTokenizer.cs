using System.Text;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// A SentencePiece-style (llama2.c / GGUF "llama") tokenizer: whole UTF-8 characters looked up,
/// byte fallback for the rest, then the best-scoring adjacent pair merged again and again, the
/// leftmost on ties. Spaces are <see cref="SpaceSymbol"/> in the vocabulary (" " in llama2.c
/// files, "▁" in GGUF).
/// </summary>
public sealed class SentencePieceTokenizer : ITokenizer
{

    // Pieces as Latin-1 strings: one char per byte, so any byte sequence is a lossless key.
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly string[] _keys;
    private readonly byte[][] _decoded;
    private readonly int[] _byteIds;
    private readonly string _spaceKey;

    public SentencePieceTokenizer(IReadOnlyList<byte[]> pieces, IReadOnlyList<float> scores, IReadOnlyList<TokenKind> kinds,
        int bosId, int eosId, int unknownId, string spaceSymbol, bool addSpacePrefix, IReadOnlyList<int>? byteIds = null)
    {
        if (pieces.Count == 0) throw new ArgumentException("the vocabulary is empty", nameof(pieces));
        if (scores.Count != pieces.Count || kinds.Count != pieces.Count)
            throw new ArgumentException($"{pieces.Count} pieces but {scores.Count} scores and {kinds.Count} token kinds");
        foreach (var (id, what) in new[] { (bosId, "BOS"), (eosId, "EOS"), (unknownId, "unknown") })
            if (id < 0 || id >= pieces.Count)
                throw new ArgumentException($"{what} id {id} is outside the vocabulary of {pieces.Count}");

        Pieces = pieces;
        Scores = scores;
        Kinds = kinds;
        BosId = bosId;
        EosId = eosId;
        UnknownId = unknownId;
        SpaceSymbol = spaceSymbol;
        AddSpacePrefix = addSpacePrefix;
        _spaceKey = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(spaceSymbol));

        _keys = new string[pieces.Count];
        _decoded = new byte[pieces.Count][];
        var space = Encoding.UTF8.GetBytes(spaceSymbol);
        for (var i = 0; i < pieces.Count; i++)
        {
            _keys[i] = Encoding.Latin1.GetString(pieces[i]);
            _ids.TryAdd(_keys[i], i);
            _decoded[i] = kinds[i] switch
            {
                TokenKind.Control => [],
                TokenKind.Byte => ParseByte(pieces[i]) is { } b ? [b] : pieces[i],
                _ => ReplaceSpace(pieces[i], space),
            };
        }

        _byteIds = new int[256];
        for (var b = 0; b < 256; b++)
            _byteIds[b] = byteIds is not null ? byteIds[b] : _ids.GetValueOrDefault($"<0x{b:X2}>", -1);

        var stops = new HashSet<int> { eosId };
        foreach (var p in EndOfTurn.Names)
            if (_ids.TryGetValue(p, out var id)) stops.Add(id);
        StopIds = stops;
    }

    public IReadOnlyList<byte[]> Pieces { get; }
    public IReadOnlyList<float> Scores { get; }
    public IReadOnlyList<TokenKind> Kinds { get; }
    public int VocabSize => Pieces.Count;
    public int BosId { get; }
    public int EosId { get; }
    public int UnknownId { get; }
    public string SpaceSymbol { get; }
    public bool AddSpacePrefix { get; }
    public IReadOnlySet<int> StopIds { get; }

    /// <summary>The id of a piece given as text (spaces as <see cref="SpaceSymbol"/>), or -1.</summary>
    public int Find(string piece) => _ids.GetValueOrDefault(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(piece)), -1);

    /// <summary>
    /// Reads llama2.c's tokenizer file (tok512.bin): int32 max piece length, then per token a float32
    /// score, an int32 length and the bytes. Ids 0..2 are unknown, BOS, EOS; 3..258 the byte tokens.
    /// </summary>
    public static SentencePieceTokenizer ReadLlama2c(string path, int vocabSize)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer file not found: {path}", path);
        if (vocabSize < 259) throw new InvalidDataException($"{path}: vocabulary size {vocabSize} is too small for llama2.c's 3 special and 256 byte tokens");
        var bytes = File.ReadAllBytes(path);
        var pos = 4;
        var pieces = new byte[vocabSize][];
        var scores = new float[vocabSize];
        var kinds = new TokenKind[vocabSize];
        for (var i = 0; i < vocabSize; i++)
        {
            if (pos + 8 > bytes.Length) throw Truncated(path, i, vocabSize);
            scores[i] = BitConverter.ToSingle(bytes, pos);
            var length = BitConverter.ToInt32(bytes, pos + 4);
            pos += 8;
            if (length < 0 || length > bytes.Length - pos) throw Truncated(path, i, vocabSize);
            kinds[i] = i switch { 0 => TokenKind.Unknown, 1 or 2 => TokenKind.Control, < 259 => TokenKind.Byte, _ => TokenKind.Normal };
            var piece = bytes.AsSpan(pos, length);
            // llama2.c's exporter wraps BOS/EOS in newlines ("\n<s>\n") for printing; the vocabulary's name is "<s>".
            pieces[i] = (kinds[i] == TokenKind.Control ? piece.Trim((byte)'\n') : piece).ToArray();
            pos += length;
        }
        var byteIds = Enumerable.Range(3, 256).ToArray();
        return new SentencePieceTokenizer(pieces, scores, kinds, 1, 2, 0, " ", addSpacePrefix: true, byteIds);
    }

    private static InvalidDataException Truncated(string path, int token, int vocabSize) =>
        new($"{path}: tokenizer file is truncated or corrupt at token {token} of {vocabSize}");

    public int[] Encode(string text, bool addBos = true)
    {
        var result = new List<int>(text.Length + 2);
        if (addBos) result.Add(BosId);
        if (text.Length == 0) return [.. result];

        var normalized = (AddSpacePrefix ? " " : "") + text;
        if (SpaceSymbol != " ") normalized = normalized.Replace(" ", SpaceSymbol, StringComparison.Ordinal);
        var utf8 = Encoding.UTF8.GetBytes(normalized);

        var symbols = new List<int>(utf8.Length);
        for (var i = 0; i < utf8.Length;)
        {
            var end = i + 1;
            while (end < utf8.Length && end - i < 4 && (utf8[end] & 0xC0) == 0x80) end++;
            if (_ids.TryGetValue(Encoding.Latin1.GetString(utf8, i, end - i), out var id))
                symbols.Add(id);
            else
                for (var b = i; b < end; b++) symbols.Add(_byteIds[utf8[b]] is >= 0 and var byteId ? byteId : UnknownId);
            i = end;
        }

        result.AddRange(SpmMerge.Run(symbols, _keys, Scores, _ids));
        return [.. result];
    }

    public ReadOnlySpan<byte> Piece(int previous, int token)
    {
        if ((uint)token >= (uint)_decoded.Length)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id outside the vocabulary of {_decoded.Length}");
        var piece = _decoded[token].AsSpan();
        // llama2.c's rule: the dummy-prefix space of the first piece after BOS is not text.
        if (previous == BosId && Kinds[token] != TokenKind.Byte && piece.Length > 0 && piece[0] == (byte)' ') piece = piece[1..];
        return piece;
    }

    private static byte? ParseByte(byte[] piece)
    {
        var s = Encoding.ASCII.GetString(piece);
        return s.Length == 6 && s.StartsWith("<0x", StringComparison.Ordinal) && s[5] == '>'
            && byte.TryParse(s.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b) ? b : null;
    }

    private static byte[] ReplaceSpace(byte[] piece, byte[] space)
    {
        if (space is [(byte)' ']) return piece;
        var result = new List<byte>(piece.Length);
        for (var i = 0; i < piece.Length;)
        {
            if (piece.AsSpan(i).StartsWith(space)) { result.Add((byte)' '); i += space.Length; }
            else result.Add(piece[i++]);
        }
        return [.. result];
    }
}
