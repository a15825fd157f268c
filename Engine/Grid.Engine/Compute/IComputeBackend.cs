using Grid.Engine.Models;

namespace Grid.Engine.Compute;

/// <summary>
/// Runs a Llama-family forward pass over a <see cref="ForwardBatch"/>, keeping the paged KV cache
/// in its own memory (host memory for the CPU, device memory for CUDA, none for Sim).
/// </summary>
public interface IComputeBackend : IDisposable
{
    ModelConfig Config { get; }

    /// <summary>Tokens per KV block.</summary>
    int BlockSize { get; }

    /// <summary>KV blocks in the pool; block ids run from 0 to this minus one.</summary>
    int BlockCount { get; }

    /// <summary>The most tokens one <see cref="Forward"/> takes.</summary>
    int MaxBatchTokens { get; }

    /// <summary>
    /// Writes each batch token's K and V into its sequence's blocks, attends over positions 0..its
    /// own, and writes logits for the batch's logit rows, row after row, into <paramref name="logits"/>
    /// (LogitCount x VocabSize).
    /// </summary>
    void Forward(ForwardBatch batch, Span<float> logits);
}
