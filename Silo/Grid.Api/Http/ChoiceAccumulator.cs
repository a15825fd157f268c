using System.Text;
using Grid.Api.Generation;
using Grid.Api.OpenAi;
using Grid.Engine.Scheduling;

namespace Grid.Api.Http;

/// <summary>What each choice has produced so far, and the request's token usage over all of them.</summary>
internal sealed class ChoiceAccumulator(int n)
{
    public sealed class Choice
    {
        public StringBuilder Text { get; } = new();
        public List<TokenLogProbs> LogProbs { get; } = [];
        public FinishReason? Finish { get; set; }
        public int CompletionTokens { get; set; }
        public bool Started { get; set; }
    }

    private readonly Choice[] _choices = Enumerable.Range(0, n).Select(_ => new Choice()).ToArray();
    private int _promptTokens;

    public Choice this[int index] => _choices[index];
    public int Count => _choices.Length;

    public Choice Add(int index, GenerationEvent e)
    {
        var c = _choices[index];
        c.Text.Append(e.Text);
        if (e.LogProbs is not null) c.LogProbs.Add(e.LogProbs);
        c.Finish = e.Finish ?? c.Finish;
        c.CompletionTokens = Math.Max(c.CompletionTokens, e.CompletionTokens);
        _promptTokens = Math.Max(_promptTokens, e.PromptTokens);
        return c;
    }

    /// <summary>OpenAI counts the prompt once however many choices there are.</summary>
    public Usage Usage => new(_promptTokens, _choices.Sum(c => c.CompletionTokens));

    public static ChatLogProbs? ChatLogProbs(IEnumerable<TokenLogProbs> tokens, int? top) => top is not { } k ? null
        : new ChatLogProbs(tokens.Select(t => new ChatTokenLogProb(t.Chosen.Token, t.Chosen.LogProb, t.Chosen.Bytes,
            t.Top.Take(k).Select(a => new TopLogProb(a.Token, a.LogProb, a.Bytes)).ToArray())).ToArray());

    /// <param name="offset">Where the first token's text starts in the choice's whole text.</param>
    public static CompletionLogProbs? CompletionLogProbs(IReadOnlyList<TokenLogProbs> tokens, int? top, int offset)
    {
        if (top is not { } k) return null;
        var offsets = new List<int>(tokens.Count);
        foreach (var t in tokens)
        {
            offsets.Add(offset);
            offset += t.Chosen.Token.Length;
        }
        return new CompletionLogProbs(
            tokens.Select(t => t.Chosen.Token).ToArray(),
            tokens.Select(t => t.Chosen.LogProb).ToArray(),
            tokens.Select(t => Alternatives(t, k)).ToArray(),
            offsets);
    }

    // Distinct ids can decode to the same text (byte pieces); the first, most likely, keeps the key.
    private static Dictionary<string, float> Alternatives(TokenLogProbs t, int k)
    {
        var map = new Dictionary<string, float>();
        foreach (var a in t.Top.Take(k)) map.TryAdd(a.Token, a.LogProb);
        return map;
    }
}
