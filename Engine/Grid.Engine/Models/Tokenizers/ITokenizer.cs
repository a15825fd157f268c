namespace Grid.Engine.Models.Tokenizers;

/// <summary>Text to token ids and back. Implementations are immutable and safe to share across threads.</summary>
public interface ITokenizer
{
    int VocabSize { get; }
    int BosId { get; }
    int EosId { get; }

    /// <summary>Ids that end generation (EOS and any end-of-turn tokens).</summary>
    IReadOnlySet<int> StopIds { get; }

    /// <summary>Encodes <paramref name="text"/>, with BOS first when <paramref name="addBos"/>.</summary>
    int[] Encode(string text, bool addBos = true);

    /// <summary>
    /// The bytes that <paramref name="token"/> adds to the text when it follows <paramref name="previous"/>
    /// (-1 at the start). Control tokens add nothing; a piece may end inside a UTF-8 character.
    /// </summary>
    ReadOnlySpan<byte> Piece(int previous, int token);
}
