using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Tests.Chat;

/// <summary>Encodes its special strings as one token and anything else as one token per character.</summary>
public sealed class FakeTokenizer(IReadOnlyCollection<string> specials) : ITokenizer
{
    public int VocabSize => 1000;
    public int BosId => 1;
    public int EosId => 2;
    public IReadOnlySet<int> StopIds { get; } = new HashSet<int> { 2 };

    public int[] Encode(string text, bool addBos = true)
    {
        var ids = specials.Contains(text) ? [500] : text.Select(c => (int)c % 400 + 3).ToArray();
        return addBos ? [BosId, .. ids] : ids;
    }

    public ReadOnlySpan<byte> Piece(int previous, int token) => [];
}
