using System.Text;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// Streams text from tokens: bytes that end inside a UTF-8 character are held back until the
/// character is whole, so a client never sees half a character or a replacement mark mid-stream.
/// </summary>
/// <param name="previous">The token before the first one appended (the prompt's last), so the
/// tokenizer's rules that look back (a space dropped after BOS) apply to the first generated token.</param>
public sealed class TokenDecoder(ITokenizer tokenizer, int previous = -1)
{
    private readonly byte[] _pending = new byte[8];
    private int _pendingCount;
    private int _previous = previous;

    /// <summary>Text that became complete with <paramref name="token"/> (often empty).</summary>
    public string Append(int token)
    {
        var piece = tokenizer.Piece(_previous, token);
        _previous = token;
        if (_pendingCount == 0 && Utf8Complete(piece) == piece.Length) return Encoding.UTF8.GetString(piece);

        var all = new byte[_pendingCount + piece.Length];
        _pending.AsSpan(0, _pendingCount).CopyTo(all);
        piece.CopyTo(all.AsSpan(_pendingCount));
        var whole = Utf8Complete(all);
        var tail = all.Length - whole;
        if (tail > 4) whole = all.Length; // not UTF-8 at all: let the decoder mark it rather than hold forever
        _pendingCount = all.Length - whole;
        all.AsSpan(whole).CopyTo(_pending);
        return Encoding.UTF8.GetString(all, 0, whole);
    }

    /// <summary>Whatever is still held back, decoded as is (end of generation).</summary>
    public string Flush()
    {
        var text = Encoding.UTF8.GetString(_pending, 0, _pendingCount);
        _pendingCount = 0;
        return text;
    }

    /// <summary>Decodes a whole token list at once.</summary>
    public static string Decode(ITokenizer tokenizer, IEnumerable<int> tokens)
    {
        var decoder = new TokenDecoder(tokenizer);
        var sb = new StringBuilder();
        foreach (var t in tokens) sb.Append(decoder.Append(t));
        return sb.Append(decoder.Flush()).ToString();
    }

    /// <summary>Length of the prefix of <paramref name="bytes"/> that ends on a character boundary.</summary>
    private static int Utf8Complete(ReadOnlySpan<byte> bytes)
    {
        // Walk back over at most 3 continuation bytes to the last lead byte.
        var i = bytes.Length - 1;
        var back = 0;
        while (i >= 0 && back < 3 && (bytes[i] & 0xC0) == 0x80) { i--; back++; }
        if (i < 0) return bytes.Length;
        var lead = bytes[i];
        var need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
        return bytes.Length - i >= need ? bytes.Length : i;
    }
}
