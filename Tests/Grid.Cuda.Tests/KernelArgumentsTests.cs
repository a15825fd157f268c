namespace Grid.Cuda.Tests;

public sealed unsafe class KernelArgumentsTests
{
    [Fact]
    public void Each_argument_keeps_its_exact_size_and_value()
    {
        var args = new KernelArguments().Add(0xDEAD_BEEF_0000_1000UL).Add(7).Add(0.5f).Add((byte)3).Add(0x1000UL);

        args.Count.Should().Be(5);
        Enumerable.Range(0, 5).Select(args.SizeOf).Should().Equal(8, 4, 4, 1, 8);
        args.ValueOf<ulong>(0).Should().Be(0xDEAD_BEEF_0000_1000UL);
        args.ValueOf<int>(1).Should().Be(7);
        args.ValueOf<float>(2).Should().Be(0.5f);
        args.ValueOf<byte>(3).Should().Be(3);
        args.ValueOf<ulong>(4).Should().Be(0x1000UL);
        args.Invoking(a => a.ValueOf<double>(1)).Should().Throw<ArgumentException>().WithMessage("*4 bytes, not 8*");
    }

    [Fact]
    public void Values_sit_at_their_natural_alignment()
    {
        var args = new KernelArguments().Add((byte)1).Add(2L).Add((short)3).Add(4);
        var pointers = (nint*)args.Pointers;
        for (var i = 0; i < args.Count; i++) (pointers[i] % args.SizeOf(i)).Should().Be(0);
    }

    [Fact]
    public void Clear_reuses_the_block_without_allocating()
    {
        var args = new KernelArguments();
        args.Add(1).Add(2f);
        var first = ((nint*)args.Pointers)[0];
        var before = GC.GetAllocatedBytesForCurrentThread();
        args.Clear().Add(3).Add(4f);
        GC.GetAllocatedBytesForCurrentThread().Should().Be(before);
        args.Count.Should().Be(2);
        ((nint*)args.Pointers)[0].Should().Be(first);
        args.ValueOf<int>(0).Should().Be(3);
    }

    [Fact]
    public void Too_many_arguments_are_refused()
    {
        var args = new KernelArguments();
        for (var i = 0; i < KernelArguments.MaxArguments; i++) args.Add(i);
        args.Invoking(a => a.Add(0)).Should().Throw<InvalidOperationException>().WithMessage("*at most 64 arguments*");
    }

    [Fact]
    public void Grid_sizes_cover_every_item()
    {
        Dim3.Cover(1000, 256).Should().Be(new Dim3(4));
        Dim3.Cover(1024, 256).X.Should().Be(4);
        ((Dim3)7).Should().Be(new Dim3(7, 1, 1));
    }

    [Fact]
    public void A_cubin_reader_refuses_what_is_not_elf()
    {
        FluentActions.Invoking(() => CubinReader.KernelNames(new byte[100])).Should().Throw<InvalidDataException>();
        var truncated = new byte[64];
        "\u007FELF"u8.CopyTo(truncated);
        truncated[4] = 2;
        truncated[0x28] = 0xFF; // section headers past the end
        truncated[0x3C] = 1;
        FluentActions.Invoking(() => CubinReader.KernelNames(truncated)).Should().Throw<InvalidDataException>();
    }
}
