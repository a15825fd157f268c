using Grid.Engine.Compute;
using Grid.Engine.Models;

namespace Grid.Api.Tests;

/// <summary>
/// Runs a forward only when the test allows one, so a test decides exactly how far a stream gets
/// (a client can leave while its request is surely still running) without guessing at timings.
/// </summary>
public sealed class GatedBackend(IComputeBackend inner) : IComputeBackend
{
    private readonly SemaphoreSlim _steps = new(0);
    private volatile bool _open;

    public ModelConfig Config => inner.Config;
    public int BlockSize => inner.BlockSize;
    public int BlockCount => inner.BlockCount;
    public int MaxBatchTokens => inner.MaxBatchTokens;

    public void Allow(int steps) => _steps.Release(steps);

    /// <summary>Lets every later step run at once (the server is being shut down).</summary>
    public void Open()
    {
        _open = true;
        _steps.Release();
    }

    public void Forward(ForwardBatch batch, Span<float> logits)
    {
        if (!_open) _steps.Wait();
        inner.Forward(batch, logits);
    }

    public void Dispose()
    {
        Open();
        inner.Dispose();
    }
}
