using Grid.Engine.Compute.Sim;

namespace Grid.Engine.Tests.Compute.Sim;

public sealed class ShapeTableTests
{
    [Theory]
    [InlineData("H100-SXM", "H100-SXM")]
    [InlineData("h100", "H100-SXM")]
    [InlineData("h100-sxm", "H100-SXM")]
    [InlineData("H100 SXM", "H100-SXM")]
    [InlineData("h200", "H200")]
    [InlineData("A100", "A100-80GB-SXM")]
    [InlineData("a100-80gb", "A100-80GB-SXM")]
    [InlineData("l40s", "L40S")]
    public void Gpus_are_found_by_name_or_alias_in_any_case(string name, string expected)
    {
        GpuSpec.Get(name).Name.Should().Be(expected);
    }

    [Fact]
    public void Gpu_figures_are_the_datasheet_ones()
    {
        GpuSpec.H100Sxm.Should().Be(new GpuSpec("H100-SXM", 989e12, 3.35e12, 80_000_000_000, 450e9));
        GpuSpec.H200.MemoryBandwidth.Should().Be(4.8e12);
        GpuSpec.H200.MemoryBytes.Should().Be(141_000_000_000);
        GpuSpec.A100Sxm80.PeakFlops.Should().Be(312e12);
        GpuSpec.A100Sxm80.MemoryBandwidth.Should().Be(2.039e12);
        GpuSpec.L40S.PeakFlops.Should().Be(362.05e12);
        GpuSpec.L40S.MemoryBandwidth.Should().Be(864e9);
        GpuSpec.L40S.MemoryBytes.Should().Be(48_000_000_000);
    }

    [Fact]
    public void An_unknown_gpu_is_refused_with_the_known_ones()
    {
        var act = () => GpuSpec.Get("B300");

        act.Should().Throw<ArgumentException>().WithMessage("*unknown GPU 'B300'*H100-SXM, H200, A100-80GB-SXM, L40S*");
    }

    [Theory]
    [InlineData("llama-3-8b", "Llama-3-8B")]
    [InlineData("Llama3-8B", "Llama-3-8B")]
    [InlineData("LLAMA-3-70B", "Llama-3-70B")]
    [InlineData("stories110M", "s110M")]
    [InlineData("s110m", "s110M")]
    [InlineData("qwen2_7b", "Qwen2-7B")]
    public void Models_are_found_by_name_or_alias_in_any_case(string name, string expected)
    {
        ModelShape.Get(name).Name.Should().Be(expected);
    }

    [Fact]
    public void An_unknown_model_is_refused_with_the_known_ones()
    {
        var act = () => ModelShape.Get("gpt-5");

        act.Should().Throw<ArgumentException>().WithMessage("*unknown model shape 'gpt-5'*Llama-3-8B, Llama-3-70B, s110M, Qwen2-7B*");
    }

    [Fact]
    public void Every_shape_is_a_valid_config()
    {
        foreach (var shape in ModelShape.Known) shape.Config.Validate(shape.Name);
    }

    [Fact]
    public void Qwen2_7B_counts_its_biases_and_s110M_its_tied_classifier_once()
    {
        // Qwen2-7B: kvDim 4 x 128 = 512; per layer 2 x 3584^2 + 2 x 3584 x 512 + 3 x 3584 x 18944 = 233,046,016;
        // x 28 = 6,525,288,448; classifier and embedding 152064 x 3584 = 544,997,376 each;
        // vectors 28 x (2 x 3584 + 3584 + 2 x 512) + 3584 = 333,312; total 7,615,616,512 (the "7.6B").
        var qwen = ModelShape.Qwen2_7B;
        qwen.Config.RopeStyle.Should().Be(Grid.Engine.Models.RopeStyle.NeoX);
        qwen.Config.HasQkvBias.Should().BeTrue();
        qwen.MatmulParams.Should().Be(6_525_288_448);
        qwen.VectorParams.Should().Be(333_312);
        qwen.TotalParams.Should().Be(7_615_616_512);

        // s110M: per layer 4 x 768^2 + 3 x 768 x 2048 = 7,077,888; x 12 = 84,934,656; classifier 32000 x 768
        // = 24,576,000 shared with the embedding; vectors 12 x 2 x 768 + 768 = 19,200; total 109,529,856.
        ModelShape.S110M.EmbeddingParams.Should().Be(0);
        ModelShape.S110M.TotalParams.Should().Be(109_529_856);
    }
}
