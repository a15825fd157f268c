using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.Grains.Tests;

public sealed class EngineWorkerTests
{
    /// <summary>
    /// A delivery that never completes (its request grain waits on the deactivating GPU grain) must not keep
    /// the worker from stopping: the GPU grain's deactivation waits for it, and that was a deadlock.
    /// </summary>
    [SkippableFact]
    public async Task Stopping_does_not_wait_for_a_delivery_that_hangs()
    {
        using var model = ModelLoader.Load(StoriesModel.Gguf);
        var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 64, Threads = 1 });
        var engine = new EngineCore(backend, model.Tokenizer, new RealClock());
        var delivering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        var worker = new EngineWorker("test/0", engine, backend, _ =>
        {
            delivering.TrySetResult();
            return never.Task;
        }, NullLogger.Instance);

        var prompt = StoriesModel.Greedy()[0].PromptTokens;
        await worker.Admit(new AdmitRequest("r", prompt, [], new GenerationOptions { Temperature = 0, MaxTokens = 8 }, 1, 0, 1));
        await delivering.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopped = Task.Run(worker.Dispose);
        (await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(stopped, "the worker stops though a delivery hangs");
    }
}
