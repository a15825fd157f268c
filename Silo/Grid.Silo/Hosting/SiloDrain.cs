using System.Diagnostics;
using Grid.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Hosting;

/// <summary>
/// The host's graceful stop (SIGTERM, Ctrl-C, or StopApplication). It (1) marks the host draining: /health/ready answers
/// 503 and new API calls get a 503 error, while the streams already served go on; (2) drains this silo's GPU grains, so
/// they admit nothing new and routers leave them out; (3) waits, up to the grace period, until they hold no request and
/// no API stream served here is open; (4) hands what still runs on them over to other GPUs (the admin migration: abort
/// here, re-admit prompt + tokens so far elsewhere; the streams go on), ending those no other GPU takes; (5) returns, and
/// the silo stops and leaves the cluster.
/// </summary>
/// <remarks>
/// It runs in <see cref="StoppingAsync"/>, which the host calls before any hosted service's StopAsync: Kestrel (still
/// accepting, so it can answer 503) and the Orleans silo (still in the cluster, so requests can move) are both plain
/// hosted services that stop only after it returns. Further SIGTERMs or Ctrl-Cs meanwhile change nothing: the console
/// lifetime's handler only asks for the stop that is already under way. SIGKILL cuts the drain short (the cluster then
/// treats the silo as failed: its requests are re-admitted elsewhere after failure detection).
/// </remarks>
public sealed class SiloDrain(DrainState state, GpuRuntime gpus, IGrainFactory grains, TimeSpan grace, ILogger<SiloDrain> log) : IHostedLifecycleService
{
    /// <summary>How often the wait looks at the GPUs and the streams.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>What the host's shutdown timeout adds to the grace period: the handover and the silo's own stop.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MigrateTimeout = TimeSpan.FromSeconds(15);
    private const int HandOverAttempts = 3;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        state.Begin();
        var local = gpus.LocalGpus.ToArray();
        log.LogInformation("drain 1/5: the host stops; /health/ready answers 503 and new API calls are refused; {Streams} API stream(s) open, " +
            "{Gpus} GPU grain(s), grace period {Grace}", state.Open, local.Length, grace);

        var drained = await DrainGpus(local);
        log.LogInformation("drain 2/5: {Drained} of {Gpus} GPU grain(s) admit no new requests ({Elapsed:0.00} s)", drained, local.Length, clock.Elapsed.TotalSeconds);

        var held = await WaitForIdle(local, clock, cancellationToken);
        if (held.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var outcomes = await Task.WhenAll(held.Select(h => HandOver(h.Gpu, h.Request, local)));
            var (moved, ended, aborted) = (outcomes.Count(o => o == Outcome.Moved), outcomes.Count(o => o == Outcome.Ended), outcomes.Count(o => o == Outcome.Aborted));
            log.Log(aborted > 0 ? LogLevel.Warning : LogLevel.Information,
                "drain 4/5: {Moved} request(s) handed over to other GPUs, {Ended} ended meanwhile, {Aborted} aborted (no other GPU took them) ({Elapsed:0.00} s)",
                moved, ended, aborted, clock.Elapsed.TotalSeconds);
        }
        else
        {
            log.LogInformation("drain 4/5: nothing to hand over ({Elapsed:0.00} s)", clock.Elapsed.TotalSeconds);
        }

        var open = state.Open;
        log.Log(open > 0 ? LogLevel.Warning : LogLevel.Information,
            "drain 5/5: done after {Elapsed:0.00} s; the silo leaves the cluster; {Streams} API stream(s) served here still open end with the process",
            clock.Elapsed.TotalSeconds, open);
    }

    /// <summary>Tells each GPU grain to stop admitting, and the cluster view that this node drains (its dashboard shows it); returns how many GPUs heard.</summary>
    private async Task<int> DrainGpus(string[] local)
    {
        if (local.Length == 0) return 0;
        // Started as tasks even when a call throws at once (a silo that never started): every failure is logged below.
        var calls = local.Select(g => Task.Run(() => grains.GetGrain<IGpuGrain>(g).Drain().WaitAsync(CallTimeout))).ToArray();
        var view = Task.Run(() => grains.GetGrain<IClusterViewGrain>(IClusterViewGrain.Key).Drain(gpus.NodeName).WaitAsync(CallTimeout));
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "drain: {Failed} of {Gpus} GPU grain(s) did not hear the drain", calls.Count(c => !c.IsCompletedSuccessfully), calls.Length);
        }
        try
        {
            await view;
        }
        catch (Exception e)
        {
            log.LogInformation(e, "drain: the cluster view did not hear that node {Node} drains", gpus.NodeName);
        }
        return calls.Count(c => c.IsCompletedSuccessfully);
    }

    /// <summary>Waits until the GPUs hold nothing and no API stream is open, or the grace period is over; returns what the GPUs still hold.</summary>
    private async Task<List<(string Gpu, string Request)>> WaitForIdle(string[] local, Stopwatch clock, CancellationToken cancellationToken)
    {
        var idleSaid = false;
        while (true)
        {
            var held = await Held(local);
            var open = state.Open;
            if (held.Count == 0 && open > 0 && !idleSaid)
            {
                // Streams served here whose requests run on other silos' GPUs: the process must outlive them too.
                log.LogInformation("drain 3/5: this silo's GPUs run nothing ({Elapsed:0.00} s); waiting for the API stream(s) served here, {Streams} open",
                    clock.Elapsed.TotalSeconds, open);
                idleSaid = true;
            }
            if (held.Count == 0 && open == 0)
            {
                log.LogInformation("drain 3/5: every request on this silo's GPUs and every API stream served here finished ({Elapsed:0.00} s)", clock.Elapsed.TotalSeconds);
                return held;
            }
            if (clock.Elapsed >= grace || cancellationToken.IsCancellationRequested)
            {
                log.LogInformation("drain 3/5: the grace period is over with {Requests} request(s) on this silo's GPUs and {Streams} API stream(s) open ({Elapsed:0.00} s)",
                    held.Count, open, clock.Elapsed.TotalSeconds);
                return held;
            }
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout: the next round reports and returns.
            }
        }
    }

    /// <summary>The requests the local GPU grains hold; one that does not answer counts as holding none (nothing could be moved off it either).</summary>
    private async Task<List<(string Gpu, string Request)>> Held(string[] local)
    {
        var held = new List<(string, string)>();
        foreach (var gpu in local)
        {
            try
            {
                held.AddRange((await grains.GetGrain<IGpuGrain>(gpu).Requests().WaitAsync(CallTimeout)).Select(r => (gpu, r)));
            }
            catch (Exception e)
            {
                log.LogDebug(e, "drain: GPU {Gpu} did not say which requests it holds", gpu);
            }
        }
        return held;
    }

    /// <summary>Moves one request to another GPU; when none takes it, cancels it (its streams end with finish reason abort) rather than let it stall.</summary>
    private async Task<Outcome> HandOver(string gpu, string id, string[] local)
    {
        var request = grains.GetGrain<IRequestGrain>(id);
        Exception? last = null;
        for (var attempt = 1; attempt <= HandOverAttempts; attempt++)
        {
            try
            {
                var status = await request.Status().WaitAsync(CallTimeout);
                if (status.Phase != RequestPhase.Running) return Outcome.Ended;
                if (status.Gpu is { } now && !local.Contains(now)) return Outcome.Moved;
                var to = await request.Migrate().WaitAsync(MigrateTimeout);
                log.LogDebug("drain: request {Request} moved from GPU {From} to {To}", id, gpu, to);
                return Outcome.Moved;
            }
            catch (Exception e)
            {
                // Not running any more, being placed right now, or no other GPU admits it: look again, then give up.
                last = e;
                await Task.Delay(PollInterval);
            }
        }
        log.LogWarning(last, "drain: request {Request} on GPU {Gpu} could not be handed over; it is aborted", id, gpu);
        try
        {
            await request.Cancel().WaitAsync(CallTimeout);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "drain: request {Request} could not be aborted; it ends with this silo's engines", id);
        }
        return Outcome.Aborted;
    }

    private enum Outcome { Moved, Ended, Aborted }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
