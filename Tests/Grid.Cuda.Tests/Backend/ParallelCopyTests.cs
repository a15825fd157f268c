using Grid.Cuda.Backend;

namespace Grid.Cuda.Tests.Backend;

public sealed unsafe class ParallelCopyTests
{
    [Theory]
    [InlineData(1, 100)]
    [InlineData(4, 100)]
    [InlineData(4, 3_000_001)]
    [InlineData(3, 1 << 22)]
    [InlineData(8, 5_000_003)]
    public void Copies_every_byte_and_nothing_past_the_end(int threads, int floats)
    {
        var source = Enumerable.Range(0, floats).Select(i => (float)i).ToArray();
        var destination = new float[floats + 16];
        destination.AsSpan(floats).Fill(-1f);
        using var copy = new ParallelCopy(threads);
        for (var round = 0; round < 3; round++) // the workers are reused
        {
            destination.AsSpan(0, floats).Clear();
            fixed (float* s = source, d = destination) copy.Copy(s, d, (long)floats * sizeof(float));
            destination.AsSpan(0, floats).SequenceEqual(source).Should().BeTrue();
            destination.AsSpan(floats).ToArray().Should().OnlyContain(v => v == -1f);
        }
    }

    [Fact]
    public void A_large_copy_allocates_nothing()
    {
        var source = new float[4 << 20];
        var destination = new float[source.Length];
        using var copy = new ParallelCopy(4);
        fixed (float* s = source, d = destination)
        {
            copy.Copy(s, d, (long)source.Length * sizeof(float));
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 5; i++) copy.Copy(s, d, (long)source.Length * sizeof(float));
            (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        }
    }

    [Fact]
    public void Threads_zero_means_the_processor_count_capped_at_eight()
    {
        using var copy = new ParallelCopy();
        copy.Threads.Should().Be(Math.Clamp(Environment.ProcessorCount, 1, 8));
    }
}
