using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Grid.Bench;

/// <summary>
/// This machine's DRAM read bandwidth, measured the way a decode step reads weights: a buffer far larger than
/// the caches, aligned, on huge pages, summed sequentially by <c>threads</c> threads, one half each.
/// Decode of one sequence can go no faster than bandwidth / weight bytes per token (the roofline).
/// </summary>
public static unsafe class MemoryBandwidth
{
    const int MadvHugePage = 14;

    [DllImport("libc", SetLastError = true)]
    static extern int madvise(void* address, nuint length, int advice);

    /// <summary>Best of <paramref name="runs"/> runs, in GB/s (10^9 bytes per second).</summary>
    public static double Measure(int threads = 2, long bytes = 1L << 30, int runs = 5)
    {
        var chunk = bytes / threads / 4096 * 4096;
        bytes = chunk * threads;
        var buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 2 << 20);
        try
        {
            if (OperatingSystem.IsLinux()) madvise(buffer, (nuint)bytes, MadvHugePage); // +12-17% per FACTS.md
            // Real, non-zero pages: untouched memory maps to the shared zero page and reads from cache.
            for (long i = 0; i < bytes; i += int.MaxValue)
                new Span<byte>(buffer + i, (int)Math.Min(int.MaxValue, bytes - i)).Fill(1);
            return Run(buffer, chunk, threads, runs);
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    static double Run(byte* buffer, long chunk, int threads, int runs)
    {
        using var start = new Barrier(threads + 1);
        using var end = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var part = buffer + t * chunk;
            workers[t] = new Thread(() =>
            {
                for (var r = 0; r < runs; r++)
                {
                    start.SignalAndWait();
                    Sink = Sum(part, chunk);
                    end.SignalAndWait();
                }
            }) { IsBackground = true };
            workers[t].Start();
        }

        var best = double.MaxValue;
        for (var r = 0; r < runs; r++)
        {
            start.SignalAndWait();
            var began = Stopwatch.GetTimestamp();
            end.SignalAndWait();
            best = Math.Min(best, Stopwatch.GetElapsedTime(began).TotalSeconds);
        }
        foreach (var w in workers) w.Join();
        return chunk * threads / best / 1e9;
    }

    // Keeps the sums observable so the JIT cannot drop the loads.
    static volatile float _sink;
    static float Sink { set => _sink = value; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Sum(byte* p, long length)
    {
        // Four independent accumulators hide the add latency, so the loads alone set the pace.
        Vector256<float> a = default, b = default, c = default, d = default;
        var f = (float*)p;
        var count = length / sizeof(float);
        for (long i = 0; i < count; i += 32)
        {
            a += Vector256.Load(f + i);
            b += Vector256.Load(f + i + 8);
            c += Vector256.Load(f + i + 16);
            d += Vector256.Load(f + i + 24);
        }
        return Vector256.Sum(a + b + c + d);
    }
}
