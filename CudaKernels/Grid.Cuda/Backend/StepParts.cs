namespace Grid.Cuda.Backend;

/// <summary>The kinds of work in a forward step, so diagnostics can time one kind alone (<see cref="CudaBackend.TimeDecodeParts"/>).</summary>
[Flags]
public enum StepParts
{
    /// <summary>The cuBLAS GEMMs: QKV, output projection, gate/up, down of every layer, and the logits.</summary>
    Gemm = 1,

    /// <summary>Attention (decode: the partial and merge kernels).</summary>
    Attention = 2,

    /// <summary>Everything else on the device: embedding, norms, bias, rotary, KV write, SwiGLU.</summary>
    Other = 4,

    All = Gemm | Attention | Other,
}
