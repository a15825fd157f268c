using Grid.Cuda.Backend;

namespace Grid.Cuda.Tests.Backend;

public sealed class DecodePartitionsTests
{
    // H100: 132 SMs x 4 blocks of the 4-head kernel; Llama-3-8B: 8 KV heads; partial buffers for 512 tokens x 32
    // partitions (8K context / 256).
    private static (int, int) Choose(int tokens, int context = 1024, long capacity = 512 * 32) =>
        DecodePartitions.Choose(tokens, kvHeads: 8, context, blocksPerWave: 528, blockSize: 16, maxPartitionTokens: 256, capacity);

    [Fact]
    public void Batch_one_takes_the_shortest_partitions_to_fill_the_device() =>
        Choose(1).Should().Be((64, 16)); // 128 blocks instead of 32

    [Fact]
    public void A_small_batch_takes_the_split_with_the_fewest_waves()
    {
        Choose(8).Should().Be((128, 8));  // 512 blocks: one wave
        Choose(16).Should().Be((256, 4)); // 512 blocks: one wave (5 partitions would need two)
    }

    [Fact]
    public void Big_batches_keep_the_configured_longest_partition()
    {
        Choose(64).Should().Be((256, 4));
        Choose(256).Should().Be((256, 4));
    }

    [Fact]
    public void Short_contexts_never_split_below_the_block_size_or_one_partition()
    {
        Choose(1, context: 1).Should().Be((16, 1));
        Choose(1, context: 70).Should().Be((48, 2));
    }

    [Fact]
    public void The_partial_buffers_bound_tokens_times_partitions()
    {
        var (tokens, partitions) = Choose(2, context: 8192, capacity: 64);
        partitions.Should().Be(32); // the buffers hold 32 per token: the configured size's count, no more
        tokens.Should().Be(256);
        Choose(1, context: 8192, capacity: 40).Should().Be((208, 40));
    }

    [Fact]
    public void Every_position_is_covered_and_partitions_are_block_multiples()
    {
        foreach (var tokens in new[] { 1, 3, 16, 100, 256 })
            foreach (var context in new[] { 1, 15, 16, 17, 255, 1000, 1024, 4097, 8192 })
            {
                var (size, count) = DecodePartitions.Choose(tokens, 8, context, 528, 16, 256, 512L * 32);
                (size % 16).Should().Be(0);
                size.Should().BeLessThanOrEqualTo(256);
                ((long)size * count).Should().BeGreaterThanOrEqualTo(context);
                ((long)size * (count - 1)).Should().BeLessThan(context, "no partition is empty for the longest token");
                ((long)tokens * count).Should().BeLessThanOrEqualTo(512L * 32);
            }
    }

    [Theory]
    [InlineData(32, 32, 0)]
    [InlineData(8, 4, 1)]
    [InlineData(12, 4, 2)]
    [InlineData(32, 8, 2)]
    [InlineData(28, 4, 3)]
    [InlineData(32, 4, 3)]
    public void Each_group_size_has_its_decode_kernel(int heads, int kvHeads, int index) =>
        KernelCalls.DecodeKernelIndex(heads, kvHeads).Should().Be(index);

    [Theory]
    [InlineData(32, 2)]
    [InlineData(30, 4)]
    public void A_group_the_decode_kernels_do_not_take_is_refused(int heads, int kvHeads) =>
        FluentActions.Invoking(() => KernelCalls.DecodeKernelIndex(heads, kvHeads)).Should().Throw<ArgumentException>().WithMessage("*KvHeads*");
}
