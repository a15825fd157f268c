using Grid.Cuda.Backend;

namespace Grid.Cuda.Tests.Backend;

/// <summary>The kernels the backend launches exist, each exactly once, across CudaKernels/*.cu (what KernelLoader relies on).</summary>
public sealed class ContractTests
{
    private static readonly string[] Launched =
    [
        "embedding_gather", "rmsnorm_to_bf16", "add_bias", "rotary", "kv_write", "attention_prefill", "attention_decode_partial_g1",
        "attention_decode_partial_g2", "attention_decode_partial_g4", "attention_decode_partial_g8",
        "attention_decode_merge", "swiglu_to_bf16", "residual_add", "kv_block_copy", "argmax_rows", "fill_random_bf16", "fill_f32",
        "f32_to_bf16", "bf16_to_f32", "f16_to_bf16", "dequant_q8_0_to_bf16", "logits_temperature", "topk_rows", "softmax_rows", "top_p_mask", "apply_penalties",
    ];

    [SkippableFact]
    public void Every_kernel_the_backend_launches_is_defined_once()
    {
        NvrtcGate.Require();
        var compiler = KernelSources.Compiler();
        var names = KernelSources.Files().SelectMany(f => compiler.CompileFile(f, "sm_90").Kernels).ToList();
        names.Should().OnlyHaveUniqueItems("KernelLoader refuses a kernel defined twice");
        names.Should().Contain(Launched);
    }
}
