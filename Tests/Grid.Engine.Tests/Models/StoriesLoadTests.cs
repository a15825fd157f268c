using Grid.Engine.Models;

namespace Grid.Engine.Tests.Models;

public class StoriesLoadTests
{
    private static void ShouldBeStoriesConfig(ModelConfig c)
    {
        c.Dim.Should().Be(64);
        c.HiddenDim.Should().Be(172);
        c.Layers.Should().Be(5);
        c.Heads.Should().Be(8);
        c.KvHeads.Should().Be(4);
        c.VocabSize.Should().Be(512);
        c.ContextLength.Should().Be(512);
        c.HeadDim.Should().Be(8);
        c.RotaryDim.Should().Be(8);
        c.RopeStyle.Should().Be(RopeStyle.Interleaved);
        c.HasQkvBias.Should().BeFalse();
        c.RmsEps.Should().BeApproximately(1e-5f, 1e-9f);
        c.RopeTheta.Should().Be(10000f);
    }

    [SkippableFact]
    public void Llama2cCheckpointLoadsWithTheTokenizerFoundBesideIt()
    {
        using var model = ModelLoader.Load(Stories.Checkpoint);
        ShouldBeStoriesConfig(model.Config);
        model.Weights.TiedOutput.Should().BeTrue();
        model.Tokenizer.VocabSize.Should().Be(512);
        model.Tokenizer.BosId.Should().Be(1);
        model.Tokenizer.EosId.Should().Be(2);
        model.Tokenizer.StopIds.Should().BeEquivalentTo([2]);
    }

    [SkippableTheory]
    [InlineData("f32")]
    [InlineData("f16")]
    [InlineData("q8_0")]
    public void GgufFilesLoadWithTheSameConfig(string type)
    {
        using var model = ModelLoader.Load(Stories.Gguf(type));
        ShouldBeStoriesConfig(model.Config);
        model.Weights.TiedOutput.Should().BeTrue();
        model.Weights.FinalNorm.Type.Should().Be(TensorType.F32);
        model.Weights.Layers.Should().AllSatisfy(l => l.AttnNorm.Type.Should().Be(TensorType.F32));
    }

    [SkippableFact]
    public void F32GgufWeightsEqualTheCheckpointsExactly()
    {
        using var bin = ModelLoader.Load(Stories.Checkpoint, Stories.Tokenizer);
        using var gguf = ModelLoader.Load(Stories.Gguf("f32"));
        foreach (var (a, b) in Pairs(bin.Weights, gguf.Weights))
        {
            b.Type.Should().Be(TensorType.F32);
            b.ToFloat().Should().Equal(a.ToFloat(), because: $"{b.Name} should equal {a.Name}");
        }
    }

    [SkippableTheory]
    [InlineData("f16", TensorType.F16, 1e-3)]
    [InlineData("q8_0", TensorType.Q8_0, 1e-2)]
    public void QuantisedGgufWeightsAreCloseToF32(string file, TensorType type, double relative)
    {
        using var f32 = ModelLoader.Load(Stories.Gguf("f32"));
        using var q = ModelLoader.Load(Stories.Gguf(file));
        q.Weights.Layers[0].Wq.Type.Should().Be(type);
        foreach (var (a, b) in Pairs(f32.Weights, q.Weights))
        {
            var x = a.ToFloat();
            var y = b.ToFloat();
            var scale = x.Max(MathF.Abs);
            var worst = x.Zip(y, (p, r) => MathF.Abs(p - r)).Max();
            worst.Should().BeLessThanOrEqualTo((float)(relative * scale), because: $"{b.Name} ({b.Type}) should be close to F32");
        }
    }

    /// <summary>Corresponding tensors of two models of one shape.</summary>
    public static IEnumerable<(WeightTensor, WeightTensor)> Pairs(ModelWeights a, ModelWeights b)
    {
        yield return (a.TokenEmbedding, b.TokenEmbedding);
        yield return (a.FinalNorm, b.FinalNorm);
        yield return (a.Output, b.Output);
        foreach (var (x, y) in a.Layers.Zip(b.Layers))
        {
            yield return (x.AttnNorm, y.AttnNorm);
            yield return (x.Wq, y.Wq);
            yield return (x.Wk, y.Wk);
            yield return (x.Wv, y.Wv);
            yield return (x.Wo, y.Wo);
            yield return (x.FfnNorm, y.FfnNorm);
            yield return (x.Gate, y.Gate);
            yield return (x.Up, y.Up);
            yield return (x.Down, y.Down);
        }
    }
}
