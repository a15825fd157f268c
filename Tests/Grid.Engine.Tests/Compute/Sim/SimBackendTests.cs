using Grid.Engine.Compute;
using Grid.Engine.Compute.Sim;
using Grid.Engine.Timing;

namespace Grid.Engine.Tests.Compute.Sim;

public sealed class SimBackendTests
{
    [Fact]
    public void Block_count_is_what_the_memory_left_after_the_weights_holds()
    {
        using var backend = new SimBackend(ModelShape.Llama3_8B, GpuSpec.H100Sxm, new VirtualClock());

        // 80e9 x 0.9 = 72,000,000,000 usable; weights 16,060,522,496 -> 55,939,477,504 left.
        // A block: 16 tokens x 131,072 bytes = 2,097,152. 55,939,477,504 / 2,097,152 = 26,674.02 -> 26,674.
        backend.BlockCount.Should().Be(26_674);
        backend.BlockSize.Should().Be(16);
        backend.MaxBatchTokens.Should().Be(8192);
    }

    [Fact]
    public void Llama_3_70B_does_not_fit_one_H100_and_fits_four()
    {
        // 70,553,706,496 params x 2 = 141,107,412,992 bytes of weights against 72e9 usable.
        var act = () => new SimBackend(ModelShape.Llama3_70B, GpuSpec.H100Sxm, new VirtualClock());
        act.Should().Throw<ArgumentException>()
            .WithMessage("*Llama-3-70B does not fit 1 x H100-SXM*141,107,412,992 bytes of weights*72,000,000,000*");

        // On 4: 35,276,853,248 bytes of weights per GPU leave 36,723,146,752; a block holds 16 tokens x
        // 80 layers x 2 x (2 KV heads x 128) x 2 bytes = 1,310,720 bytes per GPU -> 28,017 blocks.
        using var four = new SimBackend(ModelShape.Llama3_70B, GpuSpec.H100Sxm, new VirtualClock(), new SimBackendOptions { TensorParallel = 4 });
        four.BlockCount.Should().Be(28_017);
    }

    [Fact]
    public void The_virtual_clock_advances_by_exactly_each_step_time()
    {
        var clock = new VirtualClock();
        using var backend = new SimBackend(ModelShape.Llama3_8B, GpuSpec.H100Sxm, clock);
        var decode = SimBatches.Decode(64, 1000);
        var prefill = SimBatches.Prefill(2048);
        var logits = new float[64 * backend.Config.VocabSize];

        backend.Forward(decode, logits);
        // 7.0194633 ms from the hand calculation in RooflineModelTests, to the nearest tick.
        clock.Now.Should().Be(new TimeSpan(70_195));
        backend.LastStepTime.Should().Be(new TimeSpan(70_195));

        var total = clock.Now;
        backend.Forward(prefill, logits);
        // 30.0486062 ms.
        backend.LastStepTime.Should().Be(new TimeSpan(300_486));
        total += backend.LastStepTime;
        backend.Forward(decode, logits);
        total += backend.LastStepTime;

        clock.Now.Should().Be(total);
        backend.TotalTime.Should().Be(total);
        backend.Steps.Should().Be(3);
        backend.TotalFlops.Should().Be(2 * 994_184_265_728.0 + 29_688_401_494_016.0);
    }

    [Fact]
    public void A_smaller_sampled_vocabulary_keeps_the_real_models_step_times()
    {
        var clock = new VirtualClock();
        using var backend = new SimBackend(ModelShape.Llama3_8B, GpuSpec.H100Sxm, clock, new SimBackendOptions { SampledVocabulary = 4096 });
        backend.Config.VocabSize.Should().Be(4096);
        var logits = new float[64 * 4096];
        backend.Forward(SimBatches.Decode(64, 1000), logits);
        backend.LastStepTime.Should().Be(new TimeSpan(70_195), "the classifier of 128,256 tokens still counts");
        logits.Where(l => l == SimBackend.WinningLogit).Should().HaveCount(64);
    }

    [Fact]
    public void An_empty_batch_takes_no_time()
    {
        var clock = new VirtualClock();
        using var backend = new SimBackend(ModelShape.S110M, GpuSpec.H100Sxm, clock);

        backend.Forward(new ForwardBatch(4, 1), []);

        clock.Now.Should().Be(TimeSpan.Zero);
        backend.Steps.Should().Be(0);
    }

    [Fact]
    public void The_next_token_depends_only_on_seed_token_and_position()
    {
        using var backend = new SimBackend(ModelShape.S110M, GpuSpec.H100Sxm, new VirtualClock(), new SimBackendOptions { Seed = 7 });
        var vocab = backend.Config.VocabSize;

        // Alone: token 123 at position 45.
        var alone = new ForwardBatch(1, 1);
        alone.Add(alone.AddSequence(SimBatches.Table(0, 3)), 123, 45, true);
        var aloneLogits = new float[vocab];
        backend.Forward(alone, aloneLogits);

        // The same token and position third in a batch behind a prefill chunk and another decode.
        var mixed = new ForwardBatch(8, 3);
        var prompt = mixed.AddSequence(SimBatches.Table(1, 3));
        for (var p = 0; p < 5; p++) mixed.Add(prompt, 500 + p, p, p == 4);
        mixed.Add(mixed.AddSequence(SimBatches.Table(2, 3)), 9, 30, true);
        mixed.Add(mixed.AddSequence(SimBatches.Table(3, 3)), 123, 45, true);
        var mixedLogits = new float[3 * vocab];
        backend.Forward(mixed, mixedLogits);

        var expected = SimBackend.NextToken(7, 123, 45, vocab);
        aloneLogits[expected].Should().Be(SimBackend.WinningLogit);
        aloneLogits.Count(x => x != 0).Should().Be(1);
        mixedLogits.AsSpan(2 * vocab, vocab).ToArray().Should().Equal(aloneLogits);
        mixedLogits.AsSpan(0, vocab).IndexOf(SimBackend.WinningLogit).Should().Be(SimBackend.NextToken(7, 504, 4, vocab));
        mixedLogits.AsSpan(vocab, vocab).IndexOf(SimBackend.WinningLogit).Should().Be(SimBackend.NextToken(7, 9, 30, vocab));
    }

    [Fact]
    public void Next_tokens_are_fixed_per_seed_spread_over_the_vocabulary_and_never_special()
    {
        // Pinned values (worked out with an independent SplitMix64 in Python): the hash must not change
        // between runs, processes or platforms, or recorded simulations stop reproducing.
        SimBackend.NextToken(0, 1, 0, 32000).Should().Be(30_323);
        SimBackend.NextToken(7, 123, 45, 32000).Should().Be(26_518);
        SimBackend.NextToken(42, 128000, 8191, 128256).Should().Be(105_224);
        var seen = new HashSet<int>();
        var sameAcrossSeeds = 0;
        for (var token = 0; token < 100; token++)
        for (var pos = 0; pos < 100; pos++)
        {
            var next = SimBackend.NextToken(1, token, pos, 32000);
            next.Should().BeInRange(3, 31999);
            seen.Add(next);
            if (next == SimBackend.NextToken(2, token, pos, 32000)) sameAcrossSeeds++;
        }

        // 10,000 draws from 31,997 ids: about 8,600 distinct ones expected; about 0.3 draws shared by chance.
        seen.Count.Should().BeGreaterThan(8_000);
        sameAcrossSeeds.Should().BeLessThan(5);
    }

    [Fact]
    public void Steps_allocate_nothing_once_warm()
    {
        using var backend = new SimBackend(ModelShape.Llama3_8B, GpuSpec.H100Sxm, new VirtualClock());
        var batch = SimBatches.Decode(64, 1000);
        var logits = new float[64 * backend.Config.VocabSize];
        for (var i = 0; i < 50; i++) backend.Forward(batch, logits);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) backend.Forward(batch, logits);

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
