using System.Collections.Concurrent;
using System.Diagnostics;
using Grid.Engine.Compute;
using Grid.Engine.KvCache;
using Grid.Engine.Scheduling;
using Microsoft.Extensions.Logging;

namespace Grid.Grains;

/// <summary>
/// Drives one <see cref="EngineCore"/> on a dedicated thread, outside the Orleans scheduler, so a
/// step's compute never blocks grain turns. Commands are queued to that thread; after each step the
/// new tokens go to their request grains, one batch per request, and the next step starts once they
/// are delivered (which keeps each request's batches in order). The block pool's stored/removed events
/// are moved to <see cref="KvEvents"/> after each step, for the GPU grain to flush to the KV block grains.
/// A draining worker refuses admissions; <see cref="Report"/> tells the cluster view what it holds and how fast it went.
/// </summary>
public sealed class EngineWorker : IDisposable
{
    private readonly string _gpu;
    private readonly EngineCore _engine;
    private readonly IComputeBackend _backend;
    private readonly Func<TokenBatch, Task> _deliver;
    private readonly ILogger _log;
    private readonly EngineMeter? _meter;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Dictionary<string, Admitted> _admitted = new();
    private readonly List<KvEvent> _drained = [];
    private readonly List<FinishedRequest> _finished = [];
    private readonly Thread _thread;
    private readonly Stopwatch _window = Stopwatch.StartNew();
    private long _windowTokens;
    private double _tokensPerSecond;
    private LoadReport _load;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _stopping;
    private bool _draining;

    /// <summary>Finished-request samples kept between reports at most; beyond, the newest are dropped (the view wants a sample, not all).</summary>
    private const int MaxFinishedSamples = 4096;

    /// <param name="meter">Where the engine's counters go after each step; none records nothing.</param>
    public EngineWorker(string gpu, EngineCore engine, IComputeBackend backend, Func<TokenBatch, Task> deliver, ILogger log, EngineMeter? meter = null)
    {
        _meter = meter;
        _gpu = gpu;
        _engine = engine;
        _backend = backend;
        _deliver = deliver;
        _log = log;
        _load = new LoadReport(gpu, engine.Pool.FreeCount, 0, 0, 0, 0, 0, 0);
        _thread = new Thread(Loop) { IsBackground = true, Name = $"grid-engine {gpu}" };
        _thread.Start();
    }

    /// <summary>The load after the last step or command.</summary>
    public LoadReport Load => Volatile.Read(ref _load);

    /// <summary>Block pool events not yet taken by the GPU grain (the engine must record them: <see cref="EngineOptions.KvEvents"/>).</summary>
    public KvEventBuffer KvEvents { get; } = new();

    public Task Admit(AdmitRequest r) => Run(() =>
    {
        if (_draining) throw new GpuDrainingException($"GPU {_gpu} is draining: it admits no new requests");
        // A re-admission of a request this engine still holds replaces it: the request grain knows best.
        if (_admitted.Remove(r.RequestId)) _engine.Abort(r.RequestId);
        _engine.Add(new EngineRequest(r.RequestId, r.PromptTokens, r.Options.ToEngine(r.Seed))
        {
            Priority = r.Priority,
            GeneratedTokens = r.GeneratedTokens,
        });
        _admitted[r.RequestId] = new Admitted(r.Admission, r.GeneratedTokens.Length, r.GeneratedTokens.Length, Stopwatch.GetTimestamp(), null);
        return true;
    });

    /// <summary>Stops admitting for good: <see cref="Admit"/> throws <see cref="GpuDrainingException"/>; what runs finishes.</summary>
    public Task Drain() => Run(() => _draining = true);

    /// <summary>Empties the engine's prefix cache of blocks no request holds; the KV block grains hear of it with the next flush.</summary>
    public Task<int> Evict() => Run(() =>
    {
        var n = _engine.EvictCached();
        MoveKvEvents();
        return n;
    });

    /// <summary>What the cluster view wants from the engine thread: counters, the requests held now, and the samples of those finished since the last call.</summary>
    public Task<Activity> Report() => Run(() =>
    {
        var now = Stopwatch.GetTimestamp();
        var requests = _admitted.Select(a => new RunningRequest(a.Key, a.Value.Generated,
            Stopwatch.GetElapsedTime(a.Value.AdmittedAt, now).TotalSeconds, a.Value.FirstTokenAt is not null)).ToArray();
        FinishedRequest[] finished;
        lock (_finished)
        {
            finished = [.. _finished];
            _finished.Clear();
        }
        var m = _engine.Metrics;
        return new Activity(m.PrefixQueryTokens, m.PrefixHitTokens, requests, finished);
    });

    public Task Abort(string requestId) => Run(() => _admitted.Remove(requestId) && _engine.Abort(requestId));

    public Task<bool> Holds(string requestId) => Run(() => _admitted.ContainsKey(requestId));

    /// <summary>The ids of the requests admitted here and not finished or aborted.</summary>
    public Task<string[]> Held() => Run(() => _admitted.Keys.ToArray());

    private Task<T> Run<T>(Func<T> command)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopping) throw new ObjectDisposedException($"the engine of GPU {_gpu} has stopped");
        _commands.Enqueue(() =>
        {
            try
            {
                var result = command();
                // An admission shows in the load before its caller hears back, not after the next step: routers count on it.
                Publish(0);
                done.SetResult(result);
            }
            catch (Exception e) { done.SetException(e); }
        });
        _wake.Release();
        return done.Task;
    }

    private void Loop()
    {
        var batches = new Dictionary<string, StepOutput>();
        while (!_stopping)
        {
            while (_commands.TryDequeue(out var command)) command();
            if (!_engine.HasWork)
            {
                Publish(0);
                _wake.Wait();
                continue;
            }

            IReadOnlyList<RequestOutput> outputs;
            try
            {
                outputs = _engine.Step();
            }
            catch (Exception e)
            {
                _log.LogError(e, "GPU {Gpu}: the engine step failed; its requests are dropped and will be re-admitted", _gpu);
                foreach (var id in _admitted.Keys.ToList()) _engine.Abort(id);
                _admitted.Clear();
                continue;
            }
            finally
            {
                MoveKvEvents();
            }
            _meter?.AfterStep(_engine.Metrics);

            batches.Clear();
            var tokens = 0;
            foreach (var o in outputs)
            {
                // Aborts come from the request grain (or from here); it already knows.
                if (o.Finish == FinishReason.Abort || !_admitted.ContainsKey(o.Id)) continue;
                if (!batches.TryGetValue(o.Id, out var b)) batches[o.Id] = b = new StepOutput();
                if (o.Token is { } t)
                {
                    b.Tokens.Add(t);
                    b.Texts.Add(o.Text);
                    if (o.TopLogProbs is { } top)
                        (b.LogProbs ??= []).Add(new SampledLogProbs(o.LogProb, top.Select(a => a.Id).ToArray(), top.Select(a => a.LogProb).ToArray()));
                    tokens++;
                }
                b.Finish = o.Finish?.ToGrid() ?? b.Finish;
                b.Cached = o.CachedTokens;
            }
            Deliver(batches);
            Publish(tokens);
        }
    }

    private void MoveKvEvents()
    {
        _engine.DrainKvEvents(_drained);
        KvEvents.Add(_drained);
        _drained.Clear();
    }

    private void Deliver(Dictionary<string, StepOutput> batches)
    {
        if (batches.Count == 0) return;
        var now = Stopwatch.GetTimestamp();
        var sends = new List<(string Id, Task<bool> Send)>(batches.Count);
        foreach (var (id, b) in batches)
        {
            var a = _admitted[id];
            var batch = new TokenBatch(id, a.Admission, a.Generated, b.Tokens.ToArray(), b.Texts.ToArray(), b.Finish, b.Cached)
            {
                LogProbs = b.LogProbs?.ToArray(),
            };
            a = a with { Generated = a.Generated + b.Tokens.Count, FirstTokenAt = a.FirstTokenAt ?? (b.Tokens.Count > 0 ? now : null) };
            _admitted[id] = a;
            if (b.Finish is not null)
            {
                _admitted.Remove(id);
                Finished(a, now);
            }
            sends.Add((id, SafeSend(batch)));
        }
        foreach (var (id, send) in sends)
        {
            if (send.GetAwaiter().GetResult()) continue;
            // The request grain could not take its tokens: stop the work; the grain's stall check re-admits it.
            if (_admitted.Remove(id)) _engine.Abort(id);
        }
    }

    /// <summary>
    /// Keeps a finished request's latencies for the next report: time to first token only for a first admission (a
    /// re-admission's first token comes after recomputing tokens generated elsewhere), time per output token over the
    /// tokens generated here after the first.
    /// </summary>
    private void Finished(Admitted a, long now)
    {
        if (a.FirstTokenAt is not { } first) return;
        double? ttft = a.AdmittedWith == 0 ? Stopwatch.GetElapsedTime(a.AdmittedAt, first).TotalMilliseconds : null;
        var after = a.Generated - a.AdmittedWith - 1;
        double? tpot = after > 0 ? Stopwatch.GetElapsedTime(first, now).TotalMilliseconds / after : null;
        lock (_finished)
            if (_finished.Count < MaxFinishedSamples) _finished.Add(new FinishedRequest(ttft, tpot));
    }

    private async Task<bool> SafeSend(TokenBatch batch)
    {
        try
        {
            // A stop cancels the wait: a delivery can hang on grains that wait for this GPU grain, which is
            // deactivating and waits for this thread (a deadlock seen when a dead silo's directory entries went).
            await _deliver(batch).WaitAsync(_stop.Token);
            return true;
        }
        catch (OperationCanceledException) when (_stopping)
        {
            return false;
        }
        catch (Exception e)
        {
            _log.LogWarning(e, "GPU {Gpu}: delivering tokens to request {Request} failed", _gpu, batch.RequestId);
            return false;
        }
    }

    private void Publish(int tokens)
    {
        _windowTokens += tokens;
        var elapsed = _window.Elapsed.TotalSeconds;
        // A whole window gives the rate. Under load, admissions and prefill-only steps publish mid-window: a partial
        // window's rate swings wildly (0 just after a restart), so it only stands in once the engine falls idle, counted
        // as at least a second, so a GPU that went quiet reports its rate falling without a spike.
        if (elapsed >= 1 || !_engine.HasWork && elapsed > 0)
        {
            _tokensPerSecond = _windowTokens / Math.Max(elapsed, 1);
            if (elapsed >= 1)
            {
                _windowTokens = 0;
                _window.Restart();
            }
        }
        var m = _engine.Metrics;
        var pool = _engine.Pool;
        // The gauges update on steps; an engine emptied by aborts takes none.
        var running = Math.Min(m.Running, _engine.RequestCount);
        Volatile.Write(ref _load, new LoadReport(_gpu, pool.FreeCount, pool.CachedCount, pool.UsedCount,
            running, _engine.RequestCount - running, _tokensPerSecond, _engine.RequestCount) { Draining = _draining });
    }

    public void Dispose()
    {
        _stopping = true;
        _stop.Cancel();
        _wake.Release();
        if (Thread.CurrentThread != _thread) _thread.Join();
        // Commands that raced the stop still get an answer rather than leaving their callers waiting.
        while (_commands.TryDequeue(out var command)) command();
        _backend.Dispose();
        _wake.Dispose();
        _stop.Dispose();
    }

    /// <summary>The engine's side of a <see cref="GpuReport"/>: prefix cache counters, requests held, and those finished since the last one.</summary>
    public sealed record Activity(long PrefixQueries, long PrefixHits, RunningRequest[] Requests, FinishedRequest[] Finished)
    {
        public static readonly Activity None = new(0, 0, [], []);
    }

    /// <param name="Generated">Tokens the request has generated in all (delivered, or known at admission).</param>
    /// <param name="AdmittedWith">Tokens it had generated before this admission (elsewhere, or on an earlier one here).</param>
    /// <param name="AdmittedAt">Stopwatch timestamps of the admission and of its first token here.</param>
    private readonly record struct Admitted(int Admission, int Generated, int AdmittedWith, long AdmittedAt, long? FirstTokenAt);

    /// <summary>One request's share of a step's outputs, gathered before delivery.</summary>
    private sealed class StepOutput
    {
        public List<int> Tokens { get; } = [];
        public List<string> Texts { get; } = [];
        public List<SampledLogProbs>? LogProbs { get; set; }
        public GenerationFinish? Finish { get; set; }
        public int Cached { get; set; }
    }
}
