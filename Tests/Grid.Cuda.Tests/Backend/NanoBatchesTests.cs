using Grid.Cuda.Backend;
using Grid.Engine.Compute;

namespace Grid.Cuda.Tests.Backend;

public sealed class NanoBatchesTests
{
    private static StepPlan Plan(params int[] tokensPerSequence)
    {
        var batch = new ForwardBatch(tokensPerSequence.Sum(), tokensPerSequence.Length);
        foreach (var n in tokensPerSequence)
        {
            var s = batch.AddSequence(Enumerable.Range(0, 16).ToArray());
            for (var p = 0; p < n; p++) batch.Add(s, 1, p, p == n - 1);
        }
        var plan = new StepPlan(batch.TokenCount, tokensPerSequence.Length, 16, 16);
        plan.Fill(batch);
        return plan;
    }

    private static (int, int)[] Split(StepPlan plan, int count)
    {
        var ranges = new (int Start, int Length)[8];
        return ranges[..NanoBatches.Split(plan, count, ranges)].Select(r => (r.Start, r.Length)).ToArray();
    }

    [Fact]
    public void A_decode_batch_splits_evenly() =>
        Split(Plan(1, 1, 1, 1, 1, 1, 1, 1), 4).Should().Equal((0, 2), (2, 2), (4, 2), (6, 2));

    [Fact]
    public void Ranges_end_on_sequence_boundaries() =>
        Split(Plan(10, 1, 1, 1, 1), 2).Should().Equal((0, 10), (10, 4));

    [Fact]
    public void Ranges_cover_every_token_once()
    {
        var plan = Plan(3, 5, 2, 7, 1, 1, 4);
        foreach (var count in new[] { 1, 2, 3, 4 })
        {
            var ranges = Split(plan, count);
            ranges.Sum(r => r.Item2).Should().Be(plan.TokenCount);
            ranges[0].Item1.Should().Be(0);
            foreach (var (first, second) in ranges.Zip(ranges.Skip(1))) second.Item1.Should().Be(first.Item1 + first.Item2);
        }
    }

    [Fact]
    public void Fewer_sequences_than_nano_batches_make_one_range() =>
        Split(Plan(100), 2).Should().Equal((0, 100));
}
