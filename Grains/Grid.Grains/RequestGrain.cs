using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Grid.Grains;

/// <summary>
/// One request: places itself on a GPU through the router, collects the tokens its GPU delivers,
/// persists them every few tokens and at the end, and feeds streams from any offset. Reentrant, so
/// streams waiting for tokens never hold up the deliveries they wait for. If its GPU goes quiet and
/// no longer holds it (or cannot be reached), it re-admits prompt + tokens so far on another GPU;
/// sampling depends only on (seed, position), so the tokens continue as they would have. An operator's
/// <see cref="Migrate"/> takes the same way on purpose.
/// </summary>
[Reentrant]
public sealed class RequestGrain(
    [PersistentState("request", GridStorage.Requests)] IPersistentState<RequestGrainState> state,
    IGrainFactory grains,
    GpuRuntime runtime,
    GridMetrics metrics,
    SiloStopping silo,
    IOptions<GridSiloOptions> options,
    ILogger<RequestGrain> log) : Grain, IRequestGrain
{
    private const int MaxPlacements = 4;
    private static readonly TimeSpan PlacementRetry = TimeSpan.FromMilliseconds(100);

    private TaskCompletionSource _changed = NewSignal();
    private long _lastHeard = Stopwatch.GetTimestamp();
    private int _unsaved;
    private bool _saving, _saveAgain, _admitting, _admitSoon, _saveFailed;
    private IGrainTimer? _watch;
    private RequestMeter? _meter;

    private RequestGrainState S => state.State;
    private string Id => this.GetPrimaryKeyString();
    private RequestMeter Meter => _meter ??= metrics.Request(S.Request!);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Reactivated after its silo died, or moved off a silo that stops: the GPU may hold it under an older admission, or
        // lost it. Re-admitted once active, not while activating: that GPU's engine may be waiting to deliver tokens to this
        // very grain, and a message to it waits until the activation (and the move that brought it here) is complete.
        // The stall check goes on here too: should that admission fail, nothing else would notice a request on no GPU.
        if (S.Phase == RequestPhase.Running)
        {
            AdmitSoon("reactivated");
            Watch();
        }
        return Task.CompletedTask;
    }

    public async Task Submit(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var submitted = Stopwatch.GetTimestamp();
        if (S.Request is { } known)
        {
            if (known.SameAs(request)) return;
            throw new ArgumentException($"request '{Id}' was already submitted with a different model, prompt or priority");
        }
        if (string.IsNullOrWhiteSpace(request.Model)) throw new ArgumentException("the request names no model");
        ArgumentNullException.ThrowIfNull(request.PromptTokens);
        if ((request.PromptTokens.Length > 0) == (request.Text is not null))
            throw new ArgumentException("a request gives its prompt either as tokens or as text, exactly one of them");
        ArgumentNullException.ThrowIfNull(request.Options);
        var seed = request.Options.Seed ?? (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        request.Options.ToEngine(seed).Validate();
        var prompt = request.Text is { } text ? (await Encode(request.Model, text)).Tokens : request.PromptTokens;
        // A concurrent Submit of the same request may have got here first while this one encoded.
        if (S.Request is not null)
        {
            if (S.Request.SameAs(request)) return;
            throw new ArgumentException($"request '{Id}' was already submitted with a different model, prompt or priority");
        }

        S.Request = request;
        S.Prompt = prompt;
        S.Seed = seed;
        S.Phase = RequestPhase.Running;
        Meter.Started(submitted);
        await Save();
        await Admit([]);
    }

    /// <summary>Encodes here when this silo serves the model, else on one of the GPUs that do.</summary>
    private async Task<EncodedPrompt> Encode(string model, PromptText text)
    {
        if (runtime.Serves(model)) return runtime.Encoder.Encode(text);
        var gpus = await grains.GetGrain<IModelRegistryGrain>(model).List();
        if (gpus.Length == 0) throw new InvalidOperationException($"no GPU serves model '{model}'");
        Exception? last = null;
        foreach (var gpu in gpus.OrderBy(_ => Random.Shared.Next()).Take(MaxPlacements))
        {
            try
            {
                return await grains.GetGrain<IGpuGrain>(gpu).Encode(text);
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                log.LogWarning(e, "request {Request}: GPU {Gpu} could not encode its prompt; trying another", Id, gpu);
                last = e;
            }
        }
        throw new InvalidOperationException($"no GPU serving model '{model}' could encode the prompt ({last?.Message})");
    }

    public async IAsyncEnumerable<TokenChunk> Stream(int fromOffset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (fromOffset < 0) throw new ArgumentOutOfRangeException(nameof(fromOffset), fromOffset, "the offset must be 0 or more");
        var offset = fromOffset;
        while (true)
        {
            var changed = _changed.Task;
            var count = S.Tokens.Count;
            var done = S.Phase == RequestPhase.Done;
            if (done && offset > count)
                throw new ArgumentOutOfRangeException(nameof(fromOffset), fromOffset, $"the request ended after {count} tokens");
            if (offset < count || done)
            {
                var texts = S.Texts.GetRange(offset, count - offset);
                var chunk = new TokenChunk(offset, S.Tokens.GetRange(offset, count - offset).ToArray(),
                    string.Concat(texts), done ? S.Finish : null, done ? Usage() : null, done ? S.Error : null)
                {
                    Texts = S.LogProbs is null ? null : texts.ToArray(),
                    LogProbs = S.LogProbs?.GetRange(offset, count - offset).ToArray(),
                };
                offset = count;
                yield return chunk;
                if (done) yield break;
                continue;
            }
            // Also waits before Submit, and past the persisted tokens after a reactivation until they are regenerated.
            await Task.WhenAny(changed, silo.Signal).WaitAsync(cancellationToken);
            if (!changed.IsCompleted && silo.IsStopping)
            {
                // The silo stops and will deactivate (or move) this grain once its calls end: end this one, as a break
                // its reader knows (it asks again from its offset and reaches the grain wherever it lives next).
                throw new EnumerationAbortedException($"request '{Id}': its silo stops; read on from offset {offset}");
            }
        }
    }

    public async Task Cancel()
    {
        if (S.Phase == RequestPhase.Done) return;
        var gpu = S.Phase == RequestPhase.Running ? S.Gpu : null;
        End(GenerationFinish.Abort, null);
        if (gpu is not null)
        {
            try { await grains.GetGrain<IGpuGrain>(gpu).Abort(Id); }
            catch (Exception e) { log.LogWarning(e, "request {Request}: abort on GPU {Gpu} failed; it is gone with its silo", Id, gpu); }
        }
        await SaveOrGoOn();
    }

    public async Task<string> Migrate(string? gpu = null)
    {
        if (S.Phase != RequestPhase.Running) throw NotRunning();
        if (_admitting) throw new InvalidOperationException($"request '{Id}' is being placed right now; try again");
        _admitting = true;
        try
        {
            var from = S.Gpu!;
            var target = await MigrationTarget(from, gpu);
            if (S.Phase != RequestPhase.Running) throw NotRunning();
            // Batches the old GPU delivers until it has let go still count; those of its admission after the next are dropped.
            try { await grains.GetGrain<IGpuGrain>(from).Abort(Id); }
            catch (Exception e) { log.LogWarning(e, "request {Request}: abort on GPU {Gpu} failed; moving it anyway", Id, from); }
            if (S.Phase != RequestPhase.Running) throw NotRunning();
            log.LogInformation("request {Request} moves from GPU {From} to {To} after {Tokens} tokens", Id, from, target, S.Tokens.Count);
            if (await PlaceAndAdmit([from], target)) Meter.Migrated("admin");
        }
        finally
        {
            _admitting = false;
        }
        await SaveOrGoOn();
        return S.Phase == RequestPhase.Running ? S.Gpu! : throw new InvalidOperationException($"request '{Id}' could not be re-admitted: {S.Error}");
    }

    /// <summary>The GPU a migration goes to: the one asked for, if it serves the model and admits, else the router's pick among the others.</summary>
    private async Task<string> MigrationTarget(string from, string? gpu)
    {
        var model = S.Request!.Model;
        if (gpu is null)
        {
            var known = S.Tokens.Count == 0 ? S.Prompt : [.. S.Prompt, .. S.Tokens];
            return await grains.GetGrain<IRouterGrain>(model).Place(new PlaceRequest(Id, known, [from]));
        }
        if (gpu == from) throw new ArgumentException($"request '{Id}' already runs on GPU '{gpu}'");
        if (!(await grains.GetGrain<IModelRegistryGrain>(model).List()).Contains(gpu))
            throw new ArgumentException($"GPU '{gpu}' does not serve model '{model}'");
        if ((await grains.GetGrain<IGpuGrain>(gpu).Load()).Draining) throw new InvalidOperationException($"GPU '{gpu}' is draining");
        return gpu;
    }

    private InvalidOperationException NotRunning() =>
        new($"request '{Id}' is not running ({(S.Phase == RequestPhase.Done ? $"it ended: {S.Finish}" : "never submitted")})");

    public Task<RequestStatus> Status() =>
        Task.FromResult(new RequestStatus(S.Phase, S.Tokens.Count, S.Gpu, S.Finish, S.Error, S.Admissions));

    public async Task Deliver(TokenBatch batch)
    {
        if (S.Phase != RequestPhase.Running || batch.Admission != S.Admissions) return;
        _lastHeard = Stopwatch.GetTimestamp();
        var skip = S.Tokens.Count - batch.Offset;
        if (skip < 0)
        {
            // Tokens went missing between us and the GPU (a new activation knows only what was saved): start again from
            // what we have, after this call. The GPU's engine thread waits for this delivery before it takes any admission,
            // its re-admission of this very request included.
            log.LogWarning("request {Request}: batch at offset {Offset} but {Count} tokens known; re-admitting", Id, batch.Offset, S.Tokens.Count);
            AdmitSoon("resync");
            return;
        }
        var before = S.Tokens.Count;
        for (var i = skip; i < batch.Tokens.Length; i++)
        {
            S.Tokens.Add(batch.Tokens[i]);
            S.Texts.Add(batch.Texts[i]);
            if (batch.LogProbs is { } logProbs) (S.LogProbs ??= []).Add(logProbs[i]);
            _unsaved++;
        }
        Meter.Delivered(before, S.Tokens.Count);
        S.CachedTokens = batch.CachedTokens;
        if (batch.Finish is { } finish) End(finish, batch.Error);
        else if (batch.Tokens.Length > skip) Signal();
        if (batch.Finish is not null || _unsaved >= options.Value.PersistEvery) await SaveOrGoOn();
    }

    /// <summary>Re-admits on a timer tick of its own, once, unless another admission came first.</summary>
    private void AdmitSoon(string reason)
    {
        if (_admitSoon) return;
        _admitSoon = true;
        var admissions = S.Admissions;
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(async () =>
        {
            timer?.Dispose();
            _admitSoon = false;
            if (S.Phase == RequestPhase.Running && S.Admissions == admissions) await Admit([], reason);
        }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <param name="reason">Why a running request is admitted again (grid.migration.reason); a first admission has none.</param>
    private async Task Admit(string[] exclude, string? reason = null)
    {
        if (_admitting) return;
        _admitting = true;
        var readmission = S.Admissions > 0;
        try
        {
            if (await PlaceAndAdmit(exclude, null) && readmission) Meter.Migrated(reason ?? "other");
        }
        finally
        {
            _admitting = false;
        }
        // Saved admissions keep a reactivated grain from taking batches of an admission it replaced.
        await SaveOrGoOn();
    }

    /// <summary>Admits prompt + tokens so far on <paramref name="target"/> first if given, else (or if it refuses) where the router says, avoiding <paramref name="exclude"/>.</summary>
    private async Task<bool> PlaceAndAdmit(string[] exclude, string? target)
    {
        var request = S.Request!;
        var tried = new List<string>(exclude);
        var started = Stopwatch.GetTimestamp();
        var failures = 0;
        var admitted = false;
        Exception? refused = null;
        while (failures < MaxPlacements && S.Phase == RequestPhase.Running)
        {
            var gpu = target;
            target = null;
            if (gpu is null)
            {
                try
                {
                    // The tokens the engine will look up in its prefix cache: prompt + those generated so far.
                    var known = S.Tokens.Count == 0 ? S.Prompt : [.. S.Prompt, .. S.Tokens];
                    gpu = await grains.GetGrain<IRouterGrain>(request.Model).Place(new PlaceRequest(Id, known, tried.ToArray()));
                }
                catch (Exception e)
                {
                    // A registry that died with its silo refills within a heartbeat, GPUs answer again once membership
                    // settles after a silo loss, and a router (or registry) on a stopping silo rejects calls until its
                    // grains live elsewhere: keep trying for a while before giving up.
                    if (Stopwatch.GetElapsedTime(started) > options.Value.PlacementTimeout)
                    {
                        End(GenerationFinish.Error, e.Message);
                        break;
                    }
                    if (e is not InvalidOperationException)
                        log.LogWarning(e, "request {Request}: its router failed; placing it again", Id);
                    await Task.Delay(PlacementRetry);
                    continue;
                }
            }
            S.Admissions++;
            S.Gpu = gpu;
            _lastHeard = Stopwatch.GetTimestamp();
            var admit = new AdmitRequest(Id, S.Prompt, S.Tokens.ToArray(), request.Options, S.Seed, request.Priority, S.Admissions);
            try
            {
                await grains.GetGrain<IGpuGrain>(gpu).Admit(admit);
                Watch();
                admitted = true;
                break;
            }
            catch (ArgumentException e)
            {
                End(GenerationFinish.Error, e.Message);
                break;
            }
            catch (Exception e)
            {
                // A draining GPU says so (GpuDrainingException); a lost one times out or fails to activate.
                log.LogWarning(e, "request {Request}: GPU {Gpu} did not admit it; trying another", Id, gpu);
                tried.Add(gpu);
                failures++;
                refused = e;
            }
        }
        if (!admitted && S.Phase == RequestPhase.Running)
            End(GenerationFinish.Error, $"no GPU serving model '{request.Model}' admitted the request (last: {refused?.Message})");
        return admitted;
    }

    private void Watch()
    {
        var every = options.Value.StallCheck;
        _watch ??= this.RegisterGrainTimer(CheckGpu, new GrainTimerCreationOptions(every, every) { Interleave = true });
    }

    private async Task CheckGpu()
    {
        if (S.Phase != RequestPhase.Running || _admitting || Stopwatch.GetElapsedTime(_lastHeard) < options.Value.StallCheck) return;
        var gpu = S.Gpu!;
        var admissions = S.Admissions;
        string[] exclude;
        try
        {
            // Quiet but held means queued behind others: nothing to do.
            if (await grains.GetGrain<IGpuGrain>(gpu).Holds(Id))
            {
                _lastHeard = Stopwatch.GetTimestamp();
                return;
            }
            exclude = [];
        }
        catch (Exception e)
        {
            log.LogWarning(e, "request {Request}: GPU {Gpu} cannot be reached; re-admitting elsewhere", Id, gpu);
            exclude = [gpu];
        }
        if (S.Phase == RequestPhase.Running && S.Admissions == admissions) await Admit(exclude, exclude.Length == 0 ? "gpu_lost" : "gpu_unreachable");
    }

    private void End(GenerationFinish finish, string? error)
    {
        S.Phase = RequestPhase.Done;
        S.Finish = finish;
        S.Error = error;
        if (S.Request is not null) Meter.Ended(finish, S.Prompt.Length, S.Tokens.Count);
        _watch?.Dispose();
        _watch = null;
        Signal();
    }

    private Usage Usage() => new(S.Prompt.Length, S.Tokens.Count, S.CachedTokens);

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Saves a submitted request. A store that refuses (an Azure Table entity holds 960 KB of state: a few thousand tokens
    /// with many log-probability alternatives) or fails leaves the request going on from memory: only a loss or stop of
    /// this silo would cost it, as a restart from the last save. Thrown out of a delivery, it would make the GPU drop the
    /// request. Logged once per run of failures.
    /// </summary>
    private async Task SaveOrGoOn()
    {
        try
        {
            await Save();
            _saveFailed = false;
        }
        catch (Exception e)
        {
            if (!_saveFailed)
                log.LogWarning(e, "request {Request}: its state ({Tokens} tokens) could not be saved; it goes on from memory", Id, S.Tokens.Count);
            _saveFailed = true;
        }
    }

    /// <summary>Writes the state; writes asked for while one is in flight fold into one more write after it.</summary>
    private async Task Save()
    {
        if (_saving)
        {
            _saveAgain = true;
            return;
        }
        _saving = true;
        try
        {
            do
            {
                _saveAgain = false;
                _unsaved = 0;
                await state.WriteStateAsync();
            }
            while (_saveAgain);
        }
        finally
        {
            _saving = false;
        }
    }
}
