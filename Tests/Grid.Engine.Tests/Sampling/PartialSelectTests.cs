using Grid.Engine.Sampling;

namespace Grid.Engine.Tests.Sampling;

public class PartialSelectTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(999)]
    [InlineData(1000)]
    public void Brings_the_k_smallest_to_the_front_with_lower_ids_first_on_ties(int k)
    {
        var rng = new Random(k);
        // Few distinct keys, so ties straddle the cut.
        var keys = Enumerable.Range(0, 1000).Select(_ => (float)rng.Next(20)).ToArray();
        var expected = Enumerable.Range(0, 1000).OrderBy(i => keys[i]).ThenBy(i => i).Take(k).ToHashSet();
        var ids = Enumerable.Range(0, 1000).ToArray();
        var work = (float[])keys.Clone();

        PartialSelect.Smallest(work, ids, k);

        ids.Take(k).Should().BeEquivalentTo(expected);
        for (var i = 0; i < ids.Length; i++) work[i].Should().Be(keys[ids[i]]);
    }
}
