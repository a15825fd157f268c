using Grid.Engine.Models;
using Grid.Engine.Models.Gguf;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Tests.Models;

public class GgufWriterTests
{
    public static readonly ModelConfig Small = new()
    {
        Dim = 64, HiddenDim = 96, Layers = 2, Heads = 4, KvHeads = 2, VocabSize = 300, ContextLength = 128,
    };

    private static void ShouldHaveSameBytes(ModelWeights a, ModelWeights b)
    {
        foreach (var (x, y) in StoriesLoadTests.Pairs(a, b))
        {
            y.Type.Should().Be(x.Type, x.Name);
            (y.Rows, y.Cols).Should().Be((x.Rows, x.Cols), x.Name);
            for (var r = 0; r < x.Rows; r++)
                y.Row(r).SequenceEqual(x.Row(r)).Should().BeTrue($"{x.Name} row {r} should round-trip");
        }
    }

    [Theory]
    [InlineData(TensorType.F32, true)]
    [InlineData(TensorType.F16, false)]
    [InlineData(TensorType.BF16, true)]
    [InlineData(TensorType.Q8_0, false)]
    public void RandomModelRoundTripsByteForByte(TensorType type, bool tied)
    {
        using var dir = new TempDir();
        using var model = RandomModel.Create(Small, type, seed: 7, tiedOutput: tied);
        var path = dir.File("m.gguf");
        GgufWriter.Write(model, path);

        using var loaded = ModelLoader.Load(path);
        loaded.Config.Should().Be(Small with { RopeDim = Small.HeadDim });
        loaded.Weights.TiedOutput.Should().Be(tied);
        loaded.Weights.Layers[0].Wq.Type.Should().Be(type);
        ShouldHaveSameBytes(model.Weights, loaded.Weights);
        var text = "Hello, wörld! 🙂 abc";
        loaded.Tokenizer.Encode(text).Should().Equal(model.Tokenizer.Encode(text));
        TokenDecoder.Decode(loaded.Tokenizer, loaded.Tokenizer.Encode(text)).Should().Be(text);
    }

    [Fact]
    public void ConvertingToQ8FollowsLlamaCppsRule()
    {
        using var dir = new TempDir();
        using var model = RandomModel.Create(Small, TensorType.F32, seed: 3);
        GgufWriter.Write(model, dir.File("q.gguf"), TensorType.Q8_0);
        using var loaded = ModelLoader.Load(dir.File("q.gguf"));

        using (var file = GgufFile.Open(dir.File("q.gguf")))
            file.Metadata["general.file_type"].Should().Be(7u);
        var source = model.Weights.Layers[1].Gate;
        var q = loaded.Weights.Layers[1].Gate;
        q.Type.Should().Be(TensorType.Q8_0);
        var row = source.ToFloat().AsSpan(0, source.Cols);
        var amax = row[..32].ToArray().Max(MathF.Abs);
        var d = amax / 127f;
        BitConverter.ToUInt16(q.Row(0)[..2]).Should().Be(BitConverter.HalfToUInt16Bits((Half)d));
        for (var j = 0; j < 32; j++)
            ((sbyte)q.Row(0)[2 + j]).Should().Be((sbyte)MathF.Round(row[j] * (1 / d), MidpointRounding.AwayFromZero));
        var x = source.ToFloat();
        var y = q.ToFloat();
        x.Zip(y, (a, b) => MathF.Abs(a - b)).Max().Should().BeLessThan(x.Max(MathF.Abs) / 100);
        loaded.Weights.Layers[0].AttnNorm.Type.Should().Be(TensorType.F32, "norms stay F32");
    }

    [Fact]
    public void Qwen2ModelsKeepTheirBiasesAndRopeStyle()
    {
        using var dir = new TempDir();
        var config = Small with { Architecture = "qwen2", RopeStyle = RopeStyle.NeoX, HasQkvBias = true, RopeTheta = 1e6f };
        using var model = RandomModel.Create(config, TensorType.F16, seed: 11);
        GgufWriter.Write(model, dir.File("q.gguf"));
        using var loaded = ModelLoader.Load(dir.File("q.gguf"));
        loaded.Config.Should().Be(config with { RopeDim = config.HeadDim });
        loaded.Weights.Layers[1].Bk!.ToFloat().Should().Equal(model.Weights.Layers[1].Bk!.ToFloat());
    }

    [Fact]
    public void RandomModelsAreSeededAndNeedRoomForByteTokens()
    {
        using var a = RandomModel.Create(Small, TensorType.F32, 5);
        using var b = RandomModel.Create(Small, TensorType.F32, 5);
        a.Weights.Layers[0].Wq.ToFloat().Should().Equal(b.Weights.Layers[0].Wq.ToFloat());
        var std = Math.Sqrt(a.Weights.Layers[0].Up.ToFloat().Average(v => (double)v * v));
        std.Should().BeInRange(0.015, 0.025);
        var vocab = (SentencePieceTokenizer)a.Tokenizer;
        vocab.Pieces.Select(p => Convert.ToHexString(p)).Should().OnlyHaveUniqueItems();
        vocab.Kinds.Count(k => k == TokenKind.Byte).Should().Be(256);
        var act = () => RandomModel.Create(Small with { VocabSize = 258 }, TensorType.F32, 1);
        act.Should().Throw<ArgumentException>().WithMessage("*259*");
    }

    [SkippableFact]
    public void StoriesWrittenBackFromF32GgufReloadsIdentically()
    {
        using var dir = new TempDir();
        using var original = ModelLoader.Load(Stories.Gguf("f32"));
        GgufWriter.Write(original, dir.File("s.gguf"));
        using var copy = ModelLoader.Load(dir.File("s.gguf"));
        copy.Config.Should().Be(original.Config);
        copy.Weights.TiedOutput.Should().BeTrue();
        ShouldHaveSameBytes(original.Weights, copy.Weights);
        var a = (SentencePieceTokenizer)original.Tokenizer;
        var b = (SentencePieceTokenizer)copy.Tokenizer;
        b.Pieces.Should().BeEquivalentTo(a.Pieces, o => o.WithStrictOrdering());
        b.Scores.Should().Equal(a.Scores);
        b.Kinds.Should().Equal(a.Kinds);
    }

    [SkippableFact]
    public void Llama2cCheckpointConvertsToTheSameGguf()
    {
        using var dir = new TempDir();
        using var bin = ModelLoader.Load(Stories.Checkpoint, Stories.Tokenizer);
        GgufWriter.Write(bin, dir.File("c.gguf"), TensorType.F16);
        using var converted = ModelLoader.Load(dir.File("c.gguf"));
        using var official = ModelLoader.Load(Stories.Gguf("f16"));
        ShouldHaveSameBytes(official.Weights, converted.Weights);
        var a = (SentencePieceTokenizer)official.Tokenizer;
        var b = (SentencePieceTokenizer)converted.Tokenizer;
        b.Pieces.Should().BeEquivalentTo(a.Pieces, o => o.WithStrictOrdering());
        foreach (var r in Stories.References()) b.Encode(r.Prompt).Should().Equal(r.PromptTokens);
    }
}
