using Grid.Engine.Compute;
using Grid.Engine.Compute.Sim;
using Grid.Engine.Timing;

namespace Grid.Engine.Tests.Compute.Sim;

/// <summary>The simulated backend refuses what the CPU backend refuses, with the same messages, and spends no time on it.</summary>
public sealed class SimBackendValidationTests
{
    private readonly VirtualClock _clock = new();
    private readonly SimBackend _backend;

    public SimBackendValidationTests()
    {
        // s110M on an L40S: (48e9 x 0.9 - 219,059,712) / 589,824 bytes per block (16 x 12 x 2 x 768 x 2) = 72,870 blocks.
        _backend = new SimBackend(ModelShape.S110M, GpuSpec.L40S, _clock, new SimBackendOptions { MaxBatchTokens = 4 });
    }

    private void Refused(ForwardBatch batch, string message, int logitFloats = 32000)
    {
        var act = () => _backend.Forward(batch, new float[logitFloats]);
        act.Should().Throw<ArgumentException>().WithMessage(message);
        _clock.Now.Should().Be(TimeSpan.Zero);
    }

    private static ForwardBatch One(int token, int position, int[] table)
    {
        var batch = new ForwardBatch(8, 1);
        batch.Add(batch.AddSequence(table), token, position, true);
        return batch;
    }

    [Fact]
    public void The_pool_size_is_as_computed() => _backend.BlockCount.Should().Be(72_870);

    [Fact]
    public void Token_outside_the_vocabulary() =>
        Refused(One(32000, 0, [0]), "token id 32000 is outside the vocabulary (0..31999)");

    [Fact]
    public void Negative_token() => Refused(One(-1, 0, [0]), "token id -1 is outside the vocabulary*");

    [Fact]
    public void Position_beyond_the_context() =>
        Refused(One(5, 1024, Enumerable.Range(0, 65).ToArray()), "position 1024 is outside the model's context (0..1023)");

    [Fact]
    public void Position_without_a_block() =>
        Refused(One(5, 16, [0]), "position 16 has no KV block in its sequence's block table (1 blocks of 16)");

    [Fact]
    public void Block_outside_the_pool() =>
        Refused(One(5, 20, [3, 72_870]), "block id 72870 is outside the KV pool (0..72869)");

    [Fact]
    public void Too_many_tokens()
    {
        var batch = new ForwardBatch(8, 1);
        var s = batch.AddSequence([0]);
        for (var p = 0; p < 5; p++) batch.Add(s, 1, p, false);
        Refused(batch, "the batch has 5 tokens; this backend takes at most 4");
    }

    [Fact]
    public void Logits_too_short() =>
        Refused(One(5, 0, [0]), "logits holds 100 floats; the batch needs 1 x 32000", logitFloats: 100);

    [Fact]
    public void Bad_options_are_named()
    {
        var act = () => new SimBackend(ModelShape.S110M, GpuSpec.L40S, _clock, new SimBackendOptions { GpuMemoryUtilization = 1.5 });
        act.Should().Throw<ArgumentException>().WithMessage("GpuMemoryUtilization must be in (0, 1] (got 1.5)");
    }
}
