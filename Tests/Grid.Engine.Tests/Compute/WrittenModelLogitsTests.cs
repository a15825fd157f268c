using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Models.Gguf;
using Grid.Engine.Tests.Models;

namespace Grid.Engine.Tests.Compute;

/// <summary>A model written by the GGUF writer and loaded back computes exactly what the in-memory model computes.</summary>
public sealed class WrittenModelLogitsTests
{
    [Theory]
    [InlineData(TensorType.F32, true)]
    [InlineData(TensorType.F16, false)]
    [InlineData(TensorType.BF16, true)]
    [InlineData(TensorType.Q8_0, true)]
    public void Written_and_reloaded_model_gives_the_same_logits(TensorType type, bool tied)
    {
        var config = new ModelConfig { Dim = 64, HiddenDim = 128, Layers = 2, Heads = 4, KvHeads = 2, VocabSize = 300, ContextLength = 64 };
        using var dir = new TempDir();
        using var original = RandomModel.Create(config, type, seed: 5, tiedOutput: tied, std: 0.2f);
        GgufWriter.Write(original, dir.File("m.gguf"));
        using var reloaded = ModelLoader.Load(dir.File("m.gguf"));

        reloaded.Weights.TiedOutput.Should().Be(tied);
        Logits(reloaded).Should().Equal(Logits(original));
    }

    private static float[] Logits(Model model)
    {
        using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 4 });
        var prompt = model.Tokenizer.Encode("Hello, grid! ünïcödé");
        var batch = new ForwardBatch(64, 1);
        batch.AddSequence([0, 1, 2, 3]);
        for (var p = 0; p < prompt.Length; p++) batch.Add(0, prompt[p], p, true);
        var logits = new float[prompt.Length * model.Config.VocabSize];
        backend.Forward(batch, logits);
        return logits;
    }
}
