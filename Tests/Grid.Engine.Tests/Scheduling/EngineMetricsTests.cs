using Grid.Engine.Compute.Sim;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Engine.Tests.Scheduling;

/// <summary>The engine's timings on the simulated GPU, where every step's duration is known exactly.</summary>
public sealed class EngineMetricsTests
{
    [Fact]
    public void Time_to_first_token_queue_time_and_time_per_token_follow_the_steps()
    {
        var clock = new VirtualClock();
        using var backend = new SimBackend(ModelShape.Llama3_8B, GpuSpec.H100Sxm, clock);
        var tokenizer = Grid.Engine.Models.RandomModel.Vocabulary(ModelShape.Llama3_8B.Config.VocabSize);
        var engine = new EngineCore(backend, tokenizer, clock, new EngineOptions { MaxBatchTokens = 64 });
        var options = new SamplingOptions { Temperature = 0, MaxTokens = 5, IgnoreEos = true };
        engine.Add(new EngineRequest("a", Enumerable.Range(3, 100).ToArray(), options));

        var steps = new List<TimeSpan>();
        while (engine.HasWork)
        {
            engine.Step();
            steps.Add(backend.LastStepTime);
            engine.Metrics.Running.Should().BeLessThanOrEqualTo(1);
        }

        // 100 prompt tokens at 64 a step: two prefill steps, the second yields the first token; then 4 decodes.
        steps.Should().HaveCount(6);
        var m = engine.Metrics;
        m.TimeToFirstToken.Count.Should().Be(1);
        m.TimeToFirstToken.Sum.Should().BeApproximately((steps[0] + steps[1]).TotalSeconds, 1e-9);
        m.QueueTime.Sum.Should().Be(0, "the request was scheduled in the step it arrived for");
        m.TimePerOutputToken.Count.Should().Be(4);
        m.TimePerOutputToken.Sum.Should().BeApproximately(steps.Skip(2).Sum(s => s.TotalSeconds), 1e-9);
        m.RequestLatency.Sum.Should().BeApproximately(clock.Now.TotalSeconds, 1e-9);
        m.PromptTokens.Should().Be(100);
        m.GenerationTokens.Should().Be(5);
        m.RequestsFinished.Should().Be(1);
        m.KvBlocksUsed.Should().Be(0);
        (m.KvBlocksCached + m.KvBlocksFree).Should().Be(backend.BlockCount);
    }

    [Fact]
    public void A_request_that_waits_for_a_free_slot_counts_the_wait_as_queue_time()
    {
        var clock = new VirtualClock();
        using var backend = new SimBackend(ModelShape.S110M, GpuSpec.H100Sxm, clock);
        var tokenizer = Grid.Engine.Models.RandomModel.Vocabulary(ModelShape.S110M.Config.VocabSize);
        var engine = new EngineCore(backend, tokenizer, clock, new EngineOptions { MaxSequences = 1 });
        var options = new SamplingOptions { Temperature = 0, MaxTokens = 3, IgnoreEos = true };
        engine.Add(new EngineRequest("a", [5, 6, 7], options));
        engine.Add(new EngineRequest("b", [8, 9], options));
        TimeSpan? aDone = null;
        while (engine.HasWork)
            foreach (var o in engine.Step())
                if (o.Id == "a" && o.Finish is not null) aDone = clock.Now;

        engine.Metrics.QueueTime.Count.Should().Be(2);
        engine.Metrics.QueueTime.Sum.Should().BeApproximately(aDone!.Value.TotalSeconds, 1e-9, "b waited exactly as long as a ran");
    }
}
