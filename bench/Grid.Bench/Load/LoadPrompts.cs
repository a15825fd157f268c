using Grid.Bench.EndToEnd;

namespace Grid.Bench.Load;

/// <summary>
/// Prompts for the load generator: one of a few shared preambles (as system prompts are in real traffic, so the prefix
/// cache has something to hit) followed by a random tail of plain words.
/// </summary>
public sealed class LoadPrompts(int seed)
{
    private static readonly string[] Preambles =
    [
        "You are a helpful assistant for a small bakery. Answer questions about bread, cakes and opening hours briefly and kindly.",
        "You are a patient tutor. Explain each idea step by step, with one short example, in words a twelve year old understands.",
        "You are a travel guide for quiet mountain villages. Suggest walks, inns and local food, and warn about the weather.",
        "You write short bedtime stories about animals who help each other. Keep every story gentle and end it happily.",
    ];

    private readonly Random _random = new(seed);

    public string Next()
    {
        var tail = Enumerable.Range(0, _random.Next(8, 25)).Select(_ => E2eWorkload.Words[_random.Next(E2eWorkload.Words.Length)]);
        return $"{Preambles[_random.Next(Preambles.Length)]}\n\n{string.Join(' ', tail)}";
    }
}
