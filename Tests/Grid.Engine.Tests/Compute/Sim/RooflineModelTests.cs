using Grid.Engine.Compute.Sim;

namespace Grid.Engine.Tests.Compute.Sim;

/// <summary>
/// The roofline model against arithmetic done by hand. Llama-3-8B (dim 4096, 32 layers, 32 heads of
/// 128, 8 KV heads so kvDim 1024, FFN 14336, vocabulary 128256) in BF16:
///   per layer  Q 4096x4096 = 16,777,216; K, V 4096x1024 = 4,194,304 each; O 16,777,216;
///              gate, up, down 4096x14336 = 58,720,256 each; sum 218,103,808
///   32 layers  6,979,321,856 matmul params
///   classifier 128256x4096 = 525,336,576 (the embedding, not tied, is as large)
///   norms      32 x 2 x 4096 + 4096 = 266,240
///   total      8,030,261,248 params = 16,060,522,496 bytes (the "16.06 GB" of Llama-3-8B)
///   streamed each step with logits: (6,979,321,856 + 525,336,576) x 2 = 15,009,316,864 bytes
///   KV per token: 32 layers x (K + V) x 1024 x 2 bytes = 131,072 bytes
/// H100 SXM: 989e12 FLOP/s, 3.35e12 B/s; overhead 30 us; efficiencies 1.0.
/// </summary>
public sealed class RooflineModelTests
{
    private static readonly RooflineModel Llama8BOnH100 = new(ModelShape.Llama3_8B, GpuSpec.H100Sxm);

    [Fact]
    public void Llama_3_8B_parameter_counts_match_the_hand_count()
    {
        var shape = ModelShape.Llama3_8B;
        shape.LayerMatmulParams.Should().Be(218_103_808);
        shape.MatmulParams.Should().Be(6_979_321_856);
        shape.ClassifierParams.Should().Be(525_336_576);
        shape.EmbeddingParams.Should().Be(525_336_576);
        shape.VectorParams.Should().Be(266_240);
        shape.TotalParams.Should().Be(8_030_261_248);
        shape.WeightBytes.Should().Be(16_060_522_496);
        shape.KvBytesPerToken.Should().Be(131_072);
    }

    [Fact]
    public void Decode_of_64_sequences_at_position_1000_is_memory_bound()
    {
        var cost = Llama8BOnH100.Estimate(StepWork.Decode(64, 1000));

        // FLOPs: matmuls 2 x 6,979,321,856 x 64 = 893,353,197,568
        //        classifier 2 x 525,336,576 x 64 = 67,243,081,728
        //        attention 4 x 32 x 4096 x (64 x 1001) = 33,587,986,432
        //        total 994,184,265,728 -> / 989e12 = 1.00524 ms
        cost.MatmulFlops.Should().Be(893_353_197_568);
        cost.ClassifierFlops.Should().Be(67_243_081_728);
        cost.AttentionFlops.Should().Be(33_587_986_432);
        cost.Flops.Should().Be(994_184_265_728);
        cost.ComputeSeconds.Should().BeApproximately(994_184_265_728 / 989e12, 1e-15);

        // Bytes: weights 15,009,316,864; KV read 64 x 1001 x 131,072 = 8,396,996,608;
        //        KV written 64 x 131,072 = 8,388,608; total 23,414,702,080 -> / 3.35e12 = 6.98946 ms
        cost.WeightBytes.Should().Be(15_009_316_864);
        cost.KvReadBytes.Should().Be(8_396_996_608);
        cost.KvWriteBytes.Should().Be(8_388_608);
        cost.Bytes.Should().Be(23_414_702_080);
        cost.MemorySeconds.Should().BeApproximately(23_414_702_080 / 3.35e12, 1e-15);

        // Step: max(1.00524, 6.98946) + 0.030 = 7.01946 ms, i.e. 70,194.6 ticks of 100 ns.
        cost.IsComputeBound.Should().BeFalse();
        cost.AllReduceSeconds.Should().Be(0);
        cost.Seconds.Should().BeApproximately(23_414_702_080 / 3.35e12 + 30e-6, 1e-15);
        cost.Seconds.Should().BeApproximately(7.01946e-3, 1e-8);
        cost.Duration.Should().Be(new TimeSpan(70_195));

        // Decode throughput: 64 / 7.01946 ms = 9,117.5 tokens/s.
        Llama8BOnH100.DecodeTokensPerSecond(64, 1000).Should().BeApproximately(64 / cost.Seconds, 1e-9);
        Llama8BOnH100.DecodeTokensPerSecond(64, 1000).Should().BeApproximately(9_117.5, 0.1);
    }

    [Fact]
    public void Prefill_of_2048_tokens_is_compute_bound()
    {
        var cost = Llama8BOnH100.Estimate(StepWork.Prefill(2048));

        // FLOPs: matmuls 2 x 6,979,321,856 x 2048 = 28,587,302,322,176
        //        classifier (last token only) 2 x 525,336,576 = 1,050,673,152
        //        attention 4 x 32 x 4096 x (1 + 2 + ... + 2048 = 2,098,176) = 1,100,048,498,688
        //        total 29,688,401,494,016 -> / 989e12 = 30.01861 ms
        cost.MatmulFlops.Should().Be(28_587_302_322_176);
        cost.ClassifierFlops.Should().Be(1_050_673_152);
        cost.AttentionFlops.Should().Be(1_100_048_498_688);
        cost.Flops.Should().Be(29_688_401_494_016);

        // Bytes: weights 15,009,316,864; KV read once for the sequence 2048 x 131,072 = 268,435,456;
        //        written as much; total 15,546,187,776 -> / 3.35e12 = 4.64065 ms
        cost.Bytes.Should().Be(15_546_187_776);
        cost.MemorySeconds.Should().BeApproximately(4.64065e-3, 1e-8);

        // Step: max(30.01861, 4.64065) + 0.030 = 30.04861 ms.
        cost.IsComputeBound.Should().BeTrue();
        cost.Seconds.Should().BeApproximately(29_688_401_494_016 / 989e12 + 30e-6, 1e-15);
        cost.Seconds.Should().BeApproximately(30.04861e-3, 1e-8);
    }

    [Fact]
    public void A_prefill_chunk_without_logits_skips_the_classifier()
    {
        var cost = Llama8BOnH100.Estimate(StepWork.Prefill(512, start: 1024, wantLogits: false));

        cost.ClassifierFlops.Should().Be(0);
        cost.WeightBytes.Should().Be(6_979_321_856L * 2);
        // Attends 1025 + ... + 1536 = 512 x 1024 + 512 x 513 / 2 = 655,616 positions; reads 1536 positions' KV.
        cost.AttentionFlops.Should().Be(4L * 32 * 4096 * 655_616);
        cost.KvReadBytes.Should().Be(1536L * 131_072);
    }

    [Fact]
    public void Efficiencies_and_overhead_scale_the_step()
    {
        var options = new RooflineOptions { ComputeEfficiency = 0.5, BandwidthEfficiency = 0.8, StepOverhead = TimeSpan.Zero };
        var model = new RooflineModel(ModelShape.Llama3_8B, GpuSpec.H100Sxm, options: options);

        var decode = model.Estimate(StepWork.Decode(64, 1000));
        decode.Seconds.Should().BeApproximately(23_414_702_080 / (3.35e12 * 0.8), 1e-15);
        var prefill = model.Estimate(StepWork.Prefill(2048));
        prefill.Seconds.Should().BeApproximately(29_688_401_494_016 / (989e12 * 0.5), 1e-15);
    }

    [Fact]
    public void Tensor_parallel_splits_weights_flops_and_kv_and_pays_for_all_reduces()
    {
        // Llama-3-70B: per layer 2 x 8192^2 + 2 x 8192 x 1024 + 3 x 8192 x 28672 = 855,638,016;
        // x 80 = 68,451,041,280 matmul params; classifier 128256 x 8192 = 1,050,673,152.
        var model = new RooflineModel(ModelShape.Llama3_70B, GpuSpec.H100Sxm, tensorParallel: 4);
        ModelShape.Llama3_70B.MatmulParams.Should().Be(68_451_041_280);

        var cost = model.Estimate(StepWork.Decode(64, 1000));

        // Each GPU streams a quarter: (68,451,041,280 + 1,050,673,152) x 2 / 4 = 34,750,857,216 bytes.
        cost.WeightBytes.Should().Be(34_750_857_216);
        // 2 of the 8 KV heads per GPU: 80 x 2 x 256 x 2 = 81,920 bytes per token; 64 x 1001 of them read.
        model.KvBytesPerTokenPerGpu.Should().Be(81_920);
        cost.KvReadBytes.Should().Be(64L * 1001 * 81_920);
        // FLOPs are the whole model's; each GPU does a quarter of them.
        cost.ComputeSeconds.Should().BeApproximately(cost.Flops / 4.0 / 989e12, 1e-15);
        // 160 all-reduces of 64 x 8192 x 2 = 1,048,576 bytes: 5 us + 2 x 3/4 x 1,048,576 / 450e9 = 8.4953 us each.
        cost.AllReduceSeconds.Should().BeApproximately(160 * (5e-6 + 1.5 * 1_048_576 / 450e9), 1e-15);
        cost.Seconds.Should().BeApproximately(cost.MemorySeconds + cost.AllReduceSeconds + 30e-6, 1e-15);
    }

    [Fact]
    public void A_split_the_heads_do_not_allow_is_refused()
    {
        var act = () => new RooflineModel(ModelShape.Llama3_8B, GpuSpec.H100Sxm, tensorParallel: 3);

        act.Should().Throw<ArgumentException>().WithMessage("*cannot split 3 ways*32 heads*8 KV heads*");
    }

    [Fact]
    public void An_empty_step_costs_nothing()
    {
        Llama8BOnH100.Estimate(StepWork.Decode(0, 0)).Should().Be(default(StepCost));
    }
}
