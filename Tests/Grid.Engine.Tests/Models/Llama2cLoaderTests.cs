using System.Buffers.Binary;
using System.Text;
using Grid.Engine.Models;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Tests.Models;

public class Llama2cLoaderTests
{
    /// <summary>A checkpoint with weights 0, 1, 2, ... so each tensor's place in the file shows in its values.</summary>
    private static byte[] Checkpoint(int vocab)
    {
        int[] header = [8, 16, 1, 2, 2, vocab, 4];
        var v = Math.Abs(vocab);
        var floats = v * 8 + (2 * 8 + 2 * 64 + 2 * 64 + 3 * 16 * 8) + 8 + 4 * 4 + (vocab < 0 ? v * 8 : 0);
        var bytes = new byte[28 + floats * 4];
        for (var i = 0; i < 7; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), header[i]);
        for (var i = 0; i < floats; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(28 + 4 * i), i);
        return bytes;
    }

    private static byte[] TokenizerFile(int vocab)
    {
        using var s = new MemoryStream();
        using var o = new BinaryWriter(s);
        o.Write(8);
        for (var i = 0; i < vocab; i++)
        {
            var piece = i switch { 0 => "<unk>", 1 => "\n<s>\n", 2 => "\n</s>\n", < 259 => $"<0x{i - 3:X2}>", _ => $"w{i}" };
            o.Write(-(float)i);
            o.Write(piece.Length);
            o.Write(Encoding.ASCII.GetBytes(piece));
        }
        return s.ToArray();
    }

    [Fact]
    public void NegativeVocabMeansASeparateClassifierAfterTheRopeTables()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("m.bin"), Checkpoint(-300));
        File.WriteAllBytes(dir.File("t.bin"), TokenizerFile(300));
        using var model = ModelLoader.Load(dir.File("m.bin"), dir.File("t.bin"));
        model.Config.VocabSize.Should().Be(300);
        model.Weights.TiedOutput.Should().BeFalse();
        var classifierStart = 300 * 8 + 2 * 8 + 2 * 64 + 2 * 64 + 3 * 16 * 8 + 8 + 4 * 4;
        model.Weights.Output.ToFloat()[0].Should().Be(classifierStart);
        model.Weights.Layers[0].Wk.ToFloat()[0].Should().Be(300 * 8 + 8 + 64, "wk follows the embedding, rms_att and wq");
        model.Weights.Layers[0].Up.Name.Should().Be("blk.0.ffn_up.weight");
        model.Weights.Layers[0].Up.ToFloat()[0].Should().Be(300 * 8 + 8 + 64 * 4 + 8 + 16 * 8 * 2, "w3 (up) follows w2");
        model.Tokenizer.Encode("w3").Should().Equal([1, 3 + ' ', 3 + 'w', 3 + '3'], "characters without pieces fall back to byte tokens (byte + 3)");
        ((SentencePieceTokenizer)model.Tokenizer).Pieces[1].Should().Equal("<s>"u8.ToArray());
    }

    [Fact]
    public void PositiveVocabSharesTheClassifier()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("m.bin"), Checkpoint(300));
        File.WriteAllBytes(dir.File("tokenizer.bin"), TokenizerFile(300));
        using var model = ModelLoader.Load(dir.File("m.bin"));
        model.Weights.TiedOutput.Should().BeTrue();
        model.Weights.FinalNorm.ToFloat()[0].Should().Be(300 * 8 + 2 * 8 + 2 * 64 + 2 * 64 + 3 * 16 * 8);
    }
}
