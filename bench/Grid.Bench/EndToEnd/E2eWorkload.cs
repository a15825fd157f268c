using Grid.Engine.Models.Tokenizers;

namespace Grid.Bench.EndToEnd;

/// <summary>
/// Text prompts every path can send (HTTP, the client and the bare engine alike): random sentences of plain
/// words, each grown until the model's tokenizer makes at least the asked number of tokens of it.
/// </summary>
public static class E2eWorkload
{
    /// <summary>Plain words the reference tokenizers know; the load generator draws its prompts' tails from them too.</summary>
    public static readonly string[] Words =
    [
        "once", "upon", "a", "time", "there", "was", "little", "girl", "boy", "dog", "cat", "who", "liked", "to", "play", "in",
        "the", "park", "with", "her", "his", "friend", "one", "day", "they", "found", "big", "red", "ball", "and", "ran", "home",
        "happy", "sun", "tree", "bird", "sang", "song", "mom", "said", "look", "at", "sky", "blue", "went", "for", "walk",
    ];

    public static IReadOnlyList<string> Prompts(ITokenizer tokenizer, int count, int tokens, int seed)
    {
        var random = new Random(seed);
        var prompts = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var words = new List<string>();
            string text;
            do
            {
                words.Add(Words[random.Next(Words.Length)]);
                text = string.Join(' ', words);
            }
            while (tokenizer.Encode(text).Length < tokens);
            prompts.Add(text);
        }
        return prompts;
    }
}
