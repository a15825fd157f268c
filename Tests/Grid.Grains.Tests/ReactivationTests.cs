using System.Collections.Concurrent;
using Orleans.Core.Internal;

namespace Grid.Grains.Tests;

/// <summary>
/// A request grain that comes back in a new activation (its silo stopped, or Orleans moved it) knows only the tokens it
/// last saved, while its GPU goes on delivering later ones. These cases come from a drain over Redis in CI, where one of
/// 16 streams never ended. Saves happen only at admissions and at the end here (PersistEvery 1000), so the new
/// activation surely lags its GPU; the devices run the Sim backend, slowed down (a few seconds for the 80 tokens), so
/// the request is mid-generation. Its tokens must be those of an undisturbed run.
/// </summary>
public sealed class ReactivationTests
{
    private const int MaxTokens = 80;
    private const double SimScale = 2500;

    /// <summary>
    /// The GPU's next delivery finds the grain behind it and the grain re-admits the request on that same GPU. Waiting for
    /// that admission inside the delivery deadlocked: the GPU's engine thread waits for its deliveries before it takes the
    /// admission, so the request timed out on its only GPU and ended in an error.
    /// </summary>
    [Fact]
    public async Task A_reactivated_request_behind_its_gpu_resyncs_and_finishes()
    {
        var calls = new GrainCalls();
        await using var grid = await Start(calls);
        var (undisturbed, victim, tokens) = await Started(grid);

        await ReactivatedByItsGpu(grid, calls, victim);
        var last = await Generation.ReadAcrossBreaks(victim, tokens);

        tokens.Should().Equal(undisturbed, $"the stream ended {last.Finish} ({last.Error})");
        last.Finish.Should().Be(GenerationFinish.Length);
        (await victim.Status()).Admissions.Should().BeGreaterThan(1, "the new activation re-admitted the request");
    }

    /// <summary>
    /// As above, but the router cannot be reached for a while (its silo stopping: a rejection, not a "no GPU" answer). The
    /// failed placement escaped the delivery, so the GPU dropped the request, and the new activation had no stall check
    /// armed to notice: the request stayed running on no GPU for good.
    /// </summary>
    [Fact]
    public async Task A_reactivated_request_whose_placement_fails_for_a_while_still_finishes()
    {
        var calls = new GrainCalls();
        await using var grid = await Start(calls);
        var (undisturbed, victim, tokens) = await Started(grid);

        calls.FailPlace = true;
        await ReactivatedByItsGpu(grid, calls, victim);
        await grid.WaitFor(() => Task.FromResult(calls.PlaceFailures >= 1), "the new activation tried to place the request and failed");
        calls.FailPlace = false;
        var last = await Generation.ReadAcrossBreaks(victim, tokens);

        tokens.Should().Equal(undisturbed, $"the stream ended {last.Finish} ({last.Error})");
        last.Finish.Should().Be(GenerationFinish.Length);
    }

    private static Task<GridCluster> Start(GrainCalls calls) =>
        GridCluster.Start(1, simScale: SimScale, configure: o => o.PersistEvery = 1000, configureSilo: b => b.AddIncomingGrainCallFilter(calls));

    /// <summary>An undisturbed run's tokens (the Sim backend's are not the model's), and the victim's grain with the first tokens it streamed.</summary>
    private static async Task<(List<int> Undisturbed, IRequestGrain Victim, List<int> Tokens)> Started(GridCluster grid)
    {
        var prompt = StoriesModel.Greedy()[1].PromptTokens;
        var reference = grid.Request($"undisturbed-{Guid.NewGuid():N}");
        await reference.Submit(Generation.Greedy(prompt, MaxTokens));
        var undisturbed = (await Generation.ReadAll(reference)).Tokens;
        undisturbed.Should().HaveCount(MaxTokens);

        var victim = grid.Request($"victim-{Guid.NewGuid():N}");
        await victim.Submit(Generation.Greedy(prompt, MaxTokens));
        var tokens = await Generation.ReadFirst(victim);
        var status = await victim.Status();
        status.Phase.Should().Be(RequestPhase.Running, $"the test means to move the grain mid-generation ({status})");
        return (undisturbed, victim, tokens);
    }

    /// <summary>
    /// Deactivates the victim's grain and waits until its GPU's deliveries reach a new activation, touching the grain no
    /// more meanwhile: a delivery, not the test, brings it back, as on a silo that stopped.
    /// </summary>
    private static async Task ReactivatedByItsGpu(GridCluster grid, GrainCalls calls, IRequestGrain victim)
    {
        var id = victim.GetGrainId();
        await grid.WaitFor(() => Task.FromResult(calls.DeliveredTo(id) == 1), "the victim's tokens reached its grain");
        await victim.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await grid.WaitFor(() => Task.FromResult(calls.DeliveredTo(id) == 2), "a delivery reached the victim's grain in a new activation");
    }

    /// <summary>Which activations took deliveries, per request grain; while <see cref="FailPlace"/>, every call to a router's Place fails as a call to a stopping silo does.</summary>
    private sealed class GrainCalls : IIncomingGrainCallFilter
    {
        private readonly ConcurrentDictionary<GrainId, ConcurrentDictionary<ActivationId, bool>> _deliveries = new();
        private int _placeFailures;

        public volatile bool FailPlace;

        public int PlaceFailures => Volatile.Read(ref _placeFailures);

        public int DeliveredTo(GrainId grain) => _deliveries.TryGetValue(grain, out var activations) ? activations.Count : 0;

        public Task Invoke(IIncomingGrainCallContext context)
        {
            var method = context.InterfaceMethod.Name;
            if (method == nameof(IRequestGrain.Deliver))
                _deliveries.GetOrAdd(context.TargetId, _ => new())[context.TargetContext.ActivationId] = true;
            if (FailPlace && method == nameof(IRouterGrain.Place))
            {
                Interlocked.Increment(ref _placeFailures);
                throw new SiloUnavailableException("injected: the router's silo is stopping");
            }
            return context.Invoke();
        }
    }
}
