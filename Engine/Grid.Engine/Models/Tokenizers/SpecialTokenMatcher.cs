using System.Buffers;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// Finds special tokens written literally in text, longest first where several start at the same place,
/// so "&lt;|im_end|&gt;" is one token and never BPE over its characters.
/// </summary>
internal sealed class SpecialTokenMatcher
{
    private readonly Dictionary<char, (string Text, int Id)[]> _byFirstChar;
    private readonly SearchValues<char> _firstChars;

    public SpecialTokenMatcher(IEnumerable<(string Text, int Id)> specials)
    {
        var unique = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (text, id) in specials)
            if (text.Length > 0) unique.TryAdd(text, id);
        _byFirstChar = unique
            .GroupBy(kv => kv.Key[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(kv => kv.Key.Length).Select(kv => (kv.Key, kv.Value)).ToArray());
        _firstChars = SearchValues.Create(_byFirstChar.Keys.ToArray());
    }

    /// <summary>The first special token at or after <paramref name="from"/>, or (text.Length, 0, -1) when none.</summary>
    public (int Start, int Length, int Id) FindNext(ReadOnlySpan<char> text, int from)
    {
        var i = from;
        while (_byFirstChar.Count > 0 && i < text.Length)
        {
            var k = text[i..].IndexOfAny(_firstChars);
            if (k < 0) break;
            i += k;
            foreach (var (special, id) in _byFirstChar[text[i]])
                if (text[i..].StartsWith(special, StringComparison.Ordinal)) return (i, special.Length, id);
            i++;
        }
        return (text.Length, 0, -1);
    }
}
