using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Tests.Tokenizers;

/// <summary>
/// A hand-built byte-level vocabulary: five special tokens, five unused ones, every byte b at id 10 + b,
/// then one token per merge, in rank order, from id 266.
/// </summary>
internal static class TinyBpeVocab
{
    public const int EndOfText = 0, ImEnd = 1, Br = 2, BrBr = 3, Bos = 4;
    public const int FirstMerged = 266;

    // Each merge "a b" makes token a+b; its rank is its index here and its id FirstMerged + index.
    public static readonly string[] Merges =
    [
        "l l", "h e", "he ll", "hell o",        // 266 ll, 267 he, 268 hell, 269 hello
        "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld", // 270 Ġw, 271 or, 272 Ġwor, 273 ld, 274 Ġworld
        "b c", "a b",                            // 275 bc, 276 ab: "b c" outranks "a b"
        "Ã ©",                                   // 277 é (C3 A9)
        "1 2", "12 3", "4 5", "45 6",            // 278 12, 279 123, 280 45, 281 456
        "Ċ Ċ",                                   // 282 two newlines
    ];

    /// <summary>The byte b as GPT-2's bytes_to_unicode spells it, written out as the Python reference does.</summary>
    public static char Byte(int b)
    {
        var printable = new List<int>();
        for (var c = '!'; c <= '~'; c++) printable.Add(c);
        for (var c = '¡'; c <= '¬'; c++) printable.Add(c);
        for (var c = '®'; c <= 'ÿ'; c++) printable.Add(c);
        if (printable.Contains(b)) return (char)b;
        var shifted = 0;
        for (var x = 0; x < b; x++)
            if (!printable.Contains(x)) shifted++;
        return (char)(256 + shifted);
    }

    public static int Id(char c) => 10 + c; // ASCII bytes only

    public static (List<string> Tokens, List<int> Types) Build()
    {
        var tokens = new List<string> { "<|endoftext|>", "<|im_end|>", "<br>", "<br><br>", "<s>" };
        var types = new List<int> { 3, 3, 4, 4, 3 };
        for (var i = 5; i < 10; i++) { tokens.Add($"<unused{i}>"); types.Add(5); }
        for (var b = 0; b < 256; b++) { tokens.Add(Byte(b).ToString()); types.Add(1); } // byte-level vocabularies mark these Normal
        foreach (var m in Merges) { tokens.Add(m.Replace(" ", "")); types.Add(1); }
        return (tokens, types);
    }

    public static BpeTokenizer Create(string pre = "qwen2", int bos = Bos)
    {
        var (tokens, types) = Build();
        return new BpeTokenizer(tokens, Merges, types, bos, EndOfText, pre);
    }
}
