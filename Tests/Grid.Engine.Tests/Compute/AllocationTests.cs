using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Sampling;

namespace Grid.Engine.Tests.Compute;

/// <summary>Allocation counts are process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>A decode step (forward plus sampling) allocates nothing on any thread once warm.</summary>
[Collection(nameof(RunsAlone))]
public sealed class AllocationTests
{
    [Theory]
    [InlineData(TensorType.F32, 1)]
    [InlineData(TensorType.F16, 4)]
    [InlineData(TensorType.Q8_0, 9)]
    public void Decode_steps_allocate_nothing(TensorType type, int sequences)
    {
        var config = new ModelConfig { Dim = 64, HiddenDim = 128, Layers = 2, Heads = 4, KvHeads = 2, VocabSize = 300, ContextLength = 128 };
        using var model = RandomModel.Create(config, type, seed: 4);
        using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 8 * sequences, BlockSize = 16, Threads = 2 });
        var sampler = new Sampler(config.VocabSize);
        var options = new SamplingOptions { Temperature = 0.7f, TopP = 0.9f, TopK = 40, Seed = 1 };
        var tables = Enumerable.Range(0, sequences).Select(s => Enumerable.Range(s * 8, 8).ToArray()).ToArray();
        var batch = new ForwardBatch(16, sequences);
        var logits = new float[sequences * config.VocabSize];
        var next = new int[sequences];

        void Step(int pos)
        {
            batch.Clear();
            for (var s = 0; s < sequences; s++)
            {
                batch.AddSequence(tables[s]);
                batch.Add(s, next[s], pos, true);
            }
            backend.Forward(batch, logits);
            for (var s = 0; s < sequences; s++)
                next[s] = sampler.Sample(logits.AsSpan(s * config.VocabSize, config.VocabSize), options, 1, pos, [], []).Id;
        }

        // Warm up until the JIT's tiering has recompiled the hot methods (its background compiles allocate).
        for (var i = 0; i < 400; i++) Step(i % 100);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var pos = 20; pos < 100; pos++) Step(pos);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        allocated.Should().BeLessThan(1024, "80 decode steps should allocate nothing (a little slack for the runtime's own bookkeeping)");
    }
}
