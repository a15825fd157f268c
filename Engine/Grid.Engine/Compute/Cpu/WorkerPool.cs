using System.Diagnostics;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// Persistent worker threads released by a generation counter and joined by a spin barrier:
/// a parallel region costs about a microsecond, where Parallel.For costs two. Workers spin only
/// briefly after a region and then sleep, so an idle engine leaves the cores to other work.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private const int Spinning = 0, Sleeping = 1;
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 us

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _wake;
    private readonly int[] _state;
    private IParallelWork? _work;
    private int _generation;
    private int _pending;
    private volatile bool _disposed;
    private Exception? _failure;

    public WorkerPool(int workers)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "at least one worker");
        Workers = workers;
        _threads = new Thread[workers - 1];
        _wake = new SemaphoreSlim[workers - 1];
        _state = new int[workers - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _wake[i] = new SemaphoreSlim(0);
            var index = i;
            _threads[i] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"grid-cpu-{i + 1}" };
            _threads[i].Start();
        }
    }

    public int Workers { get; }

    /// <summary>Runs <paramref name="work"/> on all workers, the calling thread as worker 0, and returns when all are done.</summary>
    public void Run(IParallelWork work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Workers == 1)
        {
            work.Execute(0, 1);
            return;
        }

        _work = work;
        Volatile.Write(ref _pending, Workers - 1);
        Interlocked.Increment(ref _generation);
        for (var i = 0; i < _state.Length; i++)
            if (Interlocked.Exchange(ref _state[i], Spinning) == Sleeping) _wake[i].Release();

        Exception? own = null;
        try { work.Execute(0, Workers); }
        catch (Exception e) { own = e; }

        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
        _work = null;
        // Always take the workers' failure, so a stale one never fails a later, healthy run.
        var worker = Interlocked.Exchange(ref _failure, null);
        var failure = own ?? worker;
        if (failure is not null) throw new AggregateException("a CPU worker failed", failure);
    }

    private void Loop(int index)
    {
        var seen = 0;
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen && !_disposed)
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks) { Thread.SpinWait(20); continue; }
                Interlocked.Exchange(ref _state[index], Sleeping);
                if (Volatile.Read(ref _generation) != seen || _disposed)
                {
                    // Run may have woken us between our two reads: then it also released the semaphore.
                    if (Interlocked.CompareExchange(ref _state[index], Spinning, Sleeping) != Sleeping) _wake[index].Wait();
                    break;
                }
                _wake[index].Wait();
                start = Stopwatch.GetTimestamp();
            }
            if (_disposed) return;

            seen = Volatile.Read(ref _generation);
            try { _work!.Execute(index + 1, Workers); }
            catch (Exception e) { Interlocked.CompareExchange(ref _failure, e, null); }
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (var i = 0; i < _wake.Length; i++)
            if (Interlocked.Exchange(ref _state[i], Spinning) == Sleeping) _wake[i].Release();
        foreach (var t in _threads) t.Join();
        foreach (var w in _wake) w.Dispose();
    }

    /// <summary>The share [start, end) of <paramref name="items"/> that <paramref name="worker"/> takes in a static split.</summary>
    public static (int Start, int End) Share(int items, int worker, int workers) =>
        ((int)((long)items * worker / workers), (int)((long)items * (worker + 1) / workers));
}
