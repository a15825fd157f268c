using Grid.Engine.Compute.Cpu;

namespace Grid.Engine.Tests.Compute;

public sealed class WorkerPoolTests
{
    private sealed class Work(Func<int, bool> fail) : IParallelWork
    {
        public int[] Calls = new int[4];

        public void Execute(int worker, int workers)
        {
            Interlocked.Increment(ref Calls[worker]);
            if (fail(worker)) throw new InvalidOperationException($"worker {worker} failed");
        }
    }

    [Fact]
    public void Every_worker_runs_each_region_once()
    {
        using var pool = new WorkerPool(3);
        var work = new Work(_ => false);
        for (var i = 0; i < 1000; i++) pool.Run(work);
        work.Calls.Take(3).Should().AllBeEquivalentTo(1000);
    }

    [Fact]
    public void A_failure_surfaces_once_and_never_poisons_the_next_run()
    {
        using var pool = new WorkerPool(2);
        var failing = new Work(_ => true); // both the caller and the worker throw
        FluentActions.Invoking(() => pool.Run(failing)).Should().Throw<AggregateException>();
        var healthy = new Work(_ => false);
        FluentActions.Invoking(() => pool.Run(healthy)).Should().NotThrow();
    }

    [Fact]
    public void Static_shares_cover_the_items_exactly_once()
    {
        for (var items = 0; items < 50; items++)
        {
            var covered = new List<int>();
            for (var w = 0; w < 3; w++)
            {
                var (start, end) = WorkerPool.Share(items, w, 3);
                covered.AddRange(Enumerable.Range(start, end - start));
            }
            covered.Should().Equal(Enumerable.Range(0, items));
        }
    }
}
