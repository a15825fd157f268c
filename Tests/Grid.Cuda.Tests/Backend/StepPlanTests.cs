using Grid.Cuda.Backend;
using Grid.Engine.Compute;

namespace Grid.Cuda.Tests.Backend;

public sealed class StepPlanTests
{
    [Fact]
    public void Slots_and_block_tables_follow_each_sequences_blocks()
    {
        var batch = new ForwardBatch(8, 4);
        var a = batch.AddSequence([5, 2, 9]);
        var b = batch.AddSequence([7]);
        batch.Add(a, 11, 15, wantLogits: false);
        batch.Add(a, 12, 16, wantLogits: true);
        batch.Add(b, 13, 3, wantLogits: true);
        var plan = new StepPlan(8, 4, maxBlocksPerSequence: 4, blockSize: 16);

        plan.Fill(batch);

        plan.Slots[..3].Should().Equal(5 * 16 + 15, 2 * 16 + 0, 7 * 16 + 3);
        plan.BlocksPerSequence.Should().Be(2, "the deepest token, position 16, is in a sequence's second block");
        plan.BlockTables[..4].Should().Equal(5, 2, 7, 0);
        plan.LogitRows[..plan.LogitCount].Should().Equal(1, 2);
        plan.MaxContext.Should().Be(17);
        plan.PureDecode.Should().BeFalse();
        plan.Contiguous.Should().BeTrue();
    }

    [Fact]
    public void One_token_per_sequence_is_a_pure_decode_step()
    {
        var batch = new ForwardBatch(4, 4);
        for (var s = 0; s < 3; s++) batch.Add(batch.AddSequence([s]), s, 4 + s, wantLogits: true);
        var plan = new StepPlan(4, 4, 4, 16);
        plan.Fill(batch);
        plan.PureDecode.Should().BeTrue();
        plan.SequenceTokens[..3].Should().Equal(1, 1, 1);
    }

    [Fact]
    public void Interleaved_sequences_are_not_contiguous()
    {
        var batch = new ForwardBatch(4, 2);
        var a = batch.AddSequence([0]);
        var b = batch.AddSequence([1]);
        batch.Add(a, 1, 0, false);
        batch.Add(b, 1, 0, false);
        batch.Add(a, 1, 1, true);
        var plan = new StepPlan(4, 2, 4, 16);
        plan.Fill(batch);
        plan.Contiguous.Should().BeFalse();
    }

    [Fact]
    public void A_sequence_deeper_than_the_backend_was_sized_for_is_refused()
    {
        var batch = new ForwardBatch(1, 1);
        batch.Add(batch.AddSequence([0, 1, 2]), 1, 40, true);
        var plan = new StepPlan(1, 1, maxBlocksPerSequence: 2, blockSize: 16);
        var act = () => plan.Fill(batch);
        act.Should().Throw<ArgumentException>().WithMessage("*3 KV blocks*2*");
    }
}
