using System.Text;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Api.Generation;

/// <summary>Log-probabilities as a client sees them: each token (chosen and alternatives) with its text and bytes after the token before it.</summary>
public static class LogProbTexts
{
    public static TokenLogProbs Describe(ITokenizer tokenizer, int previous, int token, float logProb, IEnumerable<(int Id, float LogProb)> top) =>
        new(Text(tokenizer, previous, token, logProb), top.Select(a => Text(tokenizer, previous, a.Id, a.LogProb)).ToArray());

    private static TokenText Text(ITokenizer tokenizer, int previous, int token, float logProb)
    {
        var bytes = tokenizer.Piece(previous, token).ToArray();
        return new TokenText(Encoding.UTF8.GetString(bytes), bytes, logProb);
    }
}
