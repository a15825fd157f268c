namespace Grid.Grains.Tests;

public sealed class GpuKeyTests
{
    [Theory]
    [InlineData("node-a/0", "node-a", 0)]
    [InlineData("vm-11111/3", "vm-11111", 3)]
    public void Keys_name_their_node_and_device_ordinal(string key, string node, int ordinal)
    {
        GpuKey.Node(key).Should().Be(node);
        GpuKey.Ordinal(key).Should().Be(ordinal);
        GpuKey.Of(node, ordinal).Should().Be(key);
    }

    [Theory]
    [InlineData("no-slash")]
    [InlineData("node/x")]
    [InlineData("node/-1")]
    public void A_key_without_an_ordinal_is_refused(string key) =>
        FluentActions.Invoking(() => GpuKey.Ordinal(key)).Should().Throw<ArgumentException>().WithMessage("*node/ordinal*");

    [Fact]
    public void The_cuda_backend_needs_a_factory() =>
        FluentActions.Invoking(() => new GridSiloOptions { Model = "m", ModelSource = () => null!, Backend = GpuBackendKind.Cuda }.Validate())
            .Should().Throw<ArgumentException>().WithMessage("*CUDA backend factory*");
}
