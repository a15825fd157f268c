namespace Grid.Cuda.Backend;

/// <summary>
/// A host memory copy split over persistent threads, for the step's logits (pinned buffer to the caller's array:
/// 131 MB at batch 256 of a 128K vocabulary, which one thread copies at a fraction of the host's memory bandwidth).
/// The workers wait on a semaphore between copies; a copy hands out parts through a counter, and the caller, having
/// copied its own part, spins (yielding) until the workers' count of unfinished parts reaches zero. The caller never
/// blocks in the runtime: on a loaded machine its first blocking wait (a CountdownEvent, then a semaphore) showed up
/// as bytes allocated in the middle of a step, the lazily made lock and waiter objects. One copy at a time (the backend's steps are serial).
/// </summary>
public sealed unsafe class ParallelCopy : IDisposable
{
    /// <summary>Below this one thread copies: waking the workers costs tens of microseconds.</summary>
    public const long MinParallelBytes = 1 << 20;

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _go = new(0);
    private int _unfinished;
    private byte* _source, _destination;
    private long _bytes;
    private int _parts, _next;
    private volatile bool _stopping;

    /// <param name="threads">Threads a large copy uses, the caller's included; 0 picks the processor count, at most 8.</param>
    public ParallelCopy(int threads = 0)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 0 (processor count) or more");
        Threads = threads == 0 ? Math.Clamp(Environment.ProcessorCount, 1, 8) : threads;
        _workers = new Thread[Threads - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"grid-copy-{i + 1}" };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Copies <paramref name="bytes"/> bytes (the ranges must not overlap); returns when all are copied.</summary>
    public void Copy(void* source, void* destination, long bytes)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (bytes <= 0) return;
        var parts = bytes < MinParallelBytes ? 1 : (int)Math.Min(Threads, bytes / (MinParallelBytes / 2));
        if (parts <= 1)
        {
            Buffer.MemoryCopy(source, destination, bytes, bytes);
            return;
        }
        _source = (byte*)source;
        _destination = (byte*)destination;
        _bytes = bytes;
        _parts = parts;
        _next = 0;
        Volatile.Write(ref _unfinished, parts - 1);
        _go.Release(parts - 1);
        CopyPart(0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _unfinished) != 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    private void Work()
    {
        while (true)
        {
            _go.Wait();
            if (_stopping) return;
            CopyPart(Interlocked.Increment(ref _next));
            Interlocked.Decrement(ref _unfinished);
        }
    }

    private void CopyPart(int part)
    {
        // Parts on 4 KB boundaries: no two threads write the same page or cache line.
        var size = (_bytes / _parts + 4095) & ~4095L;
        var start = Math.Min(part * size, _bytes);
        var end = part == _parts - 1 ? _bytes : Math.Min(start + size, _bytes);
        if (end > start) Buffer.MemoryCopy(_source + start, _destination + start, end - start, end - start);
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        if (_workers.Length > 0) _go.Release(_workers.Length);
        foreach (var w in _workers) w.Join();
        _go.Dispose();
    }
}
