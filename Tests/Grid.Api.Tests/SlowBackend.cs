using Grid.Engine.Compute;
using Grid.Engine.Models;

namespace Grid.Api.Tests;

/// <summary>Slows each forward down so a stream is still running when a test's client walks away.</summary>
public sealed class SlowBackend(IComputeBackend inner, TimeSpan delay) : IComputeBackend
{
    public ModelConfig Config => inner.Config;
    public int BlockSize => inner.BlockSize;
    public int BlockCount => inner.BlockCount;
    public int MaxBatchTokens => inner.MaxBatchTokens;

    public void Forward(ForwardBatch batch, Span<float> logits)
    {
        Thread.Sleep(delay);
        inner.Forward(batch, logits);
    }

    public void Dispose() => inner.Dispose();
}
