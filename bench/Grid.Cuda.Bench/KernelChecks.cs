namespace Grid.Cuda.Bench;

/// <summary>
/// Each kernel of CudaKernels/*.cu against a plain scalar C# implementation (ScalarReference*.cs) on seeded
/// random inputs of realistic sizes: upload, launch with the contract's argument order and launch shape,
/// download, compare. Every check records its error as a figure and a pass/fail against a bound stated (and
/// justified) beside it; exact kernels (copies, conversions, F32 additions) must match bit for bit. A check
/// that throws records a FAIL and the others still run; a fault that leaves the context unusable (sticky
/// errors) marks the remaining checks as not run rather than reporting the same error for each.
/// </summary>
public static partial class KernelChecks
{
    public static void Run(Results results)
    {
        var device = CudaDevice.Get(0);
        using var context = CudaContext.RetainPrimary(device);
        context.MakeCurrent();
        using var gpu = KernelHarness.Load(context, results);

        // Simple, exact kernels first: a sticky fault in a complex one (attention) then costs the fewest checks.
        gpu.Guard("f32_to_bf16", F32ToBf16);
        gpu.Guard("bf16_to_f32", Bf16ToF32);
        gpu.Guard("f16_to_bf16", F16ToBf16);
        gpu.Guard("dequant_q8_0_to_bf16", DequantQ8);
        gpu.Guard("fill_f32", FillF32);
        gpu.Guard("fill_random_bf16", FillRandomBf16);
        gpu.Guard("embedding_gather", EmbeddingGather);
        gpu.Guard("add_bias", AddBias);
        gpu.Guard("residual_add", ResidualAdd);
        gpu.Guard("swiglu_to_bf16", SwiGlu);
        gpu.Guard("rmsnorm_to_bf16", RmsNorm);
        gpu.Guard("rotary", Rotary);
        gpu.Guard("kv_write", KvWrite);
        gpu.Guard("kv_block_copy", KvBlockCopy);
        gpu.Guard("logits_temperature", LogitsTemperature);
        gpu.Guard("softmax_rows", SoftmaxRows);
        gpu.Guard("top_p_mask", TopPMask);
        gpu.Guard("apply_penalties", ApplyPenalties);
        gpu.Guard("argmax_rows", ArgmaxRows);
        gpu.Guard("topk_rows", TopkRows);
        gpu.Guard("attention_prefill", AttentionPrefill);
        gpu.Guard("attention_decode", AttentionDecode);
        gpu.Summarise();
    }
}
