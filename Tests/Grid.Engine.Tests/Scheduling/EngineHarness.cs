using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Engine.Tests.Scheduling;

/// <summary>Drives an <see cref="EngineCore"/> on the CPU backend and collects each request's tokens, text and finish.</summary>
public sealed class EngineHarness : IDisposable
{
    private readonly CpuBackend _backend;

    public EngineHarness(Model model, int blocks, int blockSize = 16, int maxBatchTokens = 512, EngineOptions? options = null)
    {
        _backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = blocks, BlockSize = blockSize, MaxBatchTokens = maxBatchTokens, Threads = 2 });
        Engine = new EngineCore(_backend, model.Tokenizer, new VirtualClock(), options);
    }

    public EngineCore Engine { get; }
    public Dictionary<string, List<int>> Tokens { get; } = new();
    public Dictionary<string, string> Text { get; } = new();
    public Dictionary<string, FinishReason> Finished { get; } = new();

    public void Step()
    {
        foreach (var o in Engine.Step())
        {
            if (!Tokens.TryGetValue(o.Id, out var list)) Tokens[o.Id] = list = [];
            if (o.Token is { } t) list.Add(t);
            Text[o.Id] = Text.GetValueOrDefault(o.Id, "") + o.Text;
            if (o.Finish is { } f) Finished[o.Id] = f;
        }
        Engine.Pool.CheckInvariants();
    }

    /// <summary>Steps until nothing is left, adding each request at its step (index into the schedule).</summary>
    public void Run(IReadOnlyList<(int Step, EngineRequest Request)> schedule, int maxSteps = 100_000)
    {
        var next = 0;
        for (var step = 0; step < maxSteps; step++)
        {
            while (next < schedule.Count && schedule[next].Step <= step) Engine.Add(schedule[next++].Request);
            if (next == schedule.Count && !Engine.HasWork) return;
            Step();
        }
        throw new InvalidOperationException($"the engine did not finish in {maxSteps} steps");
    }

    public void Dispose() => _backend.Dispose();
}
