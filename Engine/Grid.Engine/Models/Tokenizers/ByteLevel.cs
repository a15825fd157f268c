using System.Text;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// GPT-2's reversible byte-to-unicode alphabet: printable Latin-1 bytes stand for themselves and the
/// rest are shifted to U+0100 and up, so every byte is one visible character and no token contains
/// whitespace or control characters (a space becomes 'Ġ', a newline 'Ċ').
/// </summary>
internal static class ByteLevel
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly short[] CharToByte = BuildCharToByte();

    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>The byte <paramref name="c"/> stands for, or -1 when it is outside the alphabet.</summary>
    public static int ToByte(char c) => c < CharToByte.Length ? CharToByte[c] : -1;

    /// <summary>
    /// The raw bytes a byte-level token stands for. Characters outside the alphabet keep their own UTF-8,
    /// so a token written as plain text still decodes to something readable rather than failing.
    /// </summary>
    public static byte[] Decode(string token)
    {
        var bytes = new List<byte>(token.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < token.Length; i++)
        {
            var b = ToByte(token[i]);
            if (b >= 0) { bytes.Add((byte)b); continue; }
            var width = char.IsHighSurrogate(token[i]) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1]) ? 2 : 1;
            var n = Encoding.UTF8.GetBytes(token.AsSpan(i, width), utf8);
            for (var k = 0; k < n; k++) bytes.Add(utf8[k]);
            i += width - 1;
        }
        return bytes.ToArray();
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var shifted = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + shifted++);
        }
        return map;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[256 + 68];
        map.AsSpan().Fill(-1);
        for (var b = 0; b < 256; b++) map[ByteToChar[b]] = (short)b;
        return map;
    }
}
