using System.Text.RegularExpressions;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// The regexes that cut text into words before BPE, by GGUF's tokenizer.ggml.pre name. The lookahead in
/// <c>\s+(?!\S)</c> rules out RegexOptions.NonBacktracking, so they are plain compiled regexes.
/// </summary>
internal static class PreTokenizer
{
    // .NET matches UTF-16 units, not code points, so the optional one-character prefix before a word also
    // accepts a surrogate pair: otherwise an emoji right before a word ("🎉Hi") would split where the
    // reference tokenizers keep it whole.
    private const string Prefix = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\r\n\p{L}\p{N}])?";

    private const string Qwen2 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|" + Prefix + @"\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Llama3 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|" + Prefix + @"\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly Lazy<Regex> Qwen2Regex = new(() => Build(Qwen2));
    private static readonly Lazy<Regex> Llama3Regex = new(() => Build(Llama3));
    private static readonly Lazy<Regex> Gpt2Regex = new(() => Build(Gpt2));

    /// <summary>The regex for <paramref name="name"/>; unknown names get GPT-2's.</summary>
    public static Regex For(string name) => name switch
    {
        "qwen2" => Qwen2Regex.Value,
        "llama-bpe" or "llama3" => Llama3Regex.Value,
        _ => Gpt2Regex.Value,
    };

    /// <summary>Llama 3 looks a whole word up in the vocabulary before merging (HF's ignore_merges).</summary>
    public static bool IgnoresMerges(string name) => name is "llama-bpe" or "llama3";

    /// <summary>The words <paramref name="text"/> splits into under <paramref name="name"/>.</summary>
    public static List<string> Split(string text, string name)
    {
        var words = new List<string>();
        foreach (var m in For(name).EnumerateMatches(text)) words.Add(text.Substring(m.Index, m.Length));
        return words;
    }

    private static Regex Build(string pattern) =>
        new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
}
