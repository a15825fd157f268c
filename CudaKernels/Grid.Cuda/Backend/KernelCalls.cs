namespace Grid.Cuda.Backend;

/// <summary>
/// The kernels of CudaKernels/README.md as typed calls: argument order, sizes and launch shapes in one
/// place. Pointers are device addresses (ulong); one argument block is reused, so calls allocate nothing
/// and must come from one thread.
/// </summary>
public sealed class KernelCalls(KernelSet kernels)
{
    private readonly KernelArguments _a = new();
    private readonly CudaKernel _embedding = kernels["embedding_gather"];
    private readonly CudaKernel _rmsnorm = kernels["rmsnorm_to_bf16"];
    private readonly CudaKernel _addBias = kernels["add_bias"];
    private readonly CudaKernel _rotary = kernels["rotary"];
    private readonly CudaKernel _kvWrite = kernels["kv_write"];
    private readonly CudaKernel _prefill = kernels["attention_prefill"];
    private readonly CudaKernel[] _decodePartial =
        [kernels["attention_decode_partial_g1"], kernels["attention_decode_partial_g2"], kernels["attention_decode_partial_g4"], kernels["attention_decode_partial_g8"]];
    private readonly CudaKernel _decodeMerge = kernels["attention_decode_merge"];
    private readonly CudaKernel _swiglu = kernels["swiglu_to_bf16"];
    private readonly CudaKernel _residual = kernels["residual_add"];
    private readonly CudaKernel _blockCopy = kernels["kv_block_copy"];
    private readonly CudaKernel _argmax = kernels["argmax_rows"];

    public void EmbeddingGather(ulong table, ulong tokens, ulong x, int n, int dim, CudaStream s) =>
        _embedding.Launch(n, 256, _a.Clear().Add(table).Add(tokens).Add(x).Add(n).Add(dim), s);

    public void RmsNorm(ulong x, ulong weight, ulong output, ulong rows, int n, int dim, float eps, CudaStream s) =>
        _rmsnorm.Launch(n, 256, _a.Clear().Add(x).Add(weight).Add(output).Add(rows).Add(n).Add(dim).Add(eps), s);

    public void AddBias(ulong y, ulong bias, int rows, int cols, CudaStream s) =>
        _addBias.Launch(Dim3.Cover((long)rows * cols, 256), 256, _a.Clear().Add(y).Add(bias).Add(rows).Add(cols), s);

    public void Rotary(ulong q, ulong k, int stride, ulong positions, int n, int heads, int kvHeads, int headDim, int rotaryDim, float theta, bool neox, CudaStream s) =>
        _rotary.Launch(n, 128, _a.Clear().Add(q).Add(k).Add(stride).Add(positions).Add(n).Add(heads).Add(kvHeads).Add(headDim).Add(rotaryDim).Add(theta).Add(neox ? 1 : 0), s);

    public void KvWrite(ulong k, ulong v, int stride, ulong kPool, ulong vPool, ulong slots, int n, int kvHeads, int headDim, int blockSize, CudaStream s) =>
        _kvWrite.Launch(n, 128, _a.Clear().Add(k).Add(v).Add(stride).Add(kPool).Add(vPool).Add(slots).Add(n).Add(kvHeads).Add(headDim).Add(blockSize), s);

    public void AttentionPrefill(ulong q, int qStride, ulong kPool, ulong vPool, ulong blockTables, int blocksPerSeq, ulong tokenSeq, ulong positions,
        ulong output, int n, int heads, int kvHeads, int headDim, int blockSize, float scale, CudaStream s) =>
        // A block takes 64 query rows (tensor cores for head_dim 64 and 128), so K/V tiles are read once per 64 queries, not per query.
        _prefill.Launch(new Dim3((uint)((n + 63) / 64), (uint)heads), 128, _a.Clear().Add(q).Add(qStride).Add(kPool).Add(vPool).Add(blockTables).Add(blocksPerSeq)
            .Add(tokenSeq).Add(positions).Add(output).Add(n).Add(heads).Add(kvHeads).Add(headDim).Add(blockSize).Add(scale), s);

    public void AttentionDecode(ulong q, int qStride, ulong kPool, ulong vPool, ulong blockTables, int blocksPerSeq, ulong tokenSeq, ulong positions,
        ulong partOut, ulong partMax, ulong partSum, ulong output, int n, int heads, int kvHeads, int headDim, int blockSize,
        int partitionTokens, int partitions, float scale, CudaStream s)
    {
        // One block per (token, KV head, partition) serves the KV head's whole group of query heads.
        _decodePartial[DecodeKernelIndex(heads, kvHeads)].Launch(new Dim3((uint)n, (uint)kvHeads, (uint)partitions), 128, _a.Clear().Add(q).Add(qStride).Add(kPool).Add(vPool).Add(blockTables)
            .Add(blocksPerSeq).Add(tokenSeq).Add(positions).Add(partOut).Add(partMax).Add(partSum).Add(n).Add(heads).Add(kvHeads).Add(headDim)
            .Add(blockSize).Add(partitionTokens).Add(partitions).Add(scale), s);
        _decodeMerge.Launch(new Dim3((uint)n, (uint)heads), 128, _a.Clear().Add(partOut).Add(partMax).Add(partSum).Add(positions).Add(output)
            .Add(n).Add(heads).Add(headDim).Add(partitionTokens).Add(partitions), s);
    }

    /// <summary>The most query heads per KV head the decode attention takes (attention_decode_partial_g8).</summary>
    public const int MaxDecodeGroup = 8;

    /// <summary>Which attention_decode_partial_gN serves this head layout: 0..3 for N = 1, 2, 4, 8 (the group rounded up to a power of two).</summary>
    public static int DecodeKernelIndex(int heads, int kvHeads)
    {
        if (kvHeads < 1 || heads % kvHeads != 0 || heads / kvHeads > MaxDecodeGroup)
            throw new ArgumentException($"the CUDA decode attention needs Heads a multiple of KvHeads with at most {MaxDecodeGroup} query heads per KV head (Heads {heads}, KvHeads {kvHeads})");
        var group = heads / kvHeads;
        return group <= 1 ? 0 : group <= 2 ? 1 : group <= 4 ? 2 : 3;
    }

    /// <summary>Blocks of the decode kernel for this head layout that one SM holds at once.</summary>
    public int DecodeBlocksPerMultiprocessor(int heads, int kvHeads) => _decodePartial[DecodeKernelIndex(heads, kvHeads)].MaxActiveBlocksPerMultiprocessor(128);

    public void SwiGlu(ulong gateUp, ulong output, int rows, int ff, CudaStream s) =>
        _swiglu.Launch(Dim3.Cover((long)rows * ff, 256), 256, _a.Clear().Add(gateUp).Add(output).Add(rows).Add(ff), s);

    public void ResidualAdd(ulong x, ulong y, int n, CudaStream s) =>
        _residual.Launch(Dim3.Cover(n, 256), 256, _a.Clear().Add(x).Add(y).Add(n), s);

    public void KvBlockCopy(ulong source, ulong destination, ulong sourceBlocks, ulong destinationBlocks, int n, int blockElements, CudaStream s) =>
        _blockCopy.Launch(n, 256, _a.Clear().Add(source).Add(destination).Add(sourceBlocks).Add(destinationBlocks).Add(n).Add(blockElements), s);

    public void ArgmaxRows(ulong logits, ulong ids, ulong values, int rows, int vocab, CudaStream s) =>
        _argmax.Launch(rows, 256, _a.Clear().Add(logits).Add(ids).Add(values).Add(rows).Add(vocab), s);
}
