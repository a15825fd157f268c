using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grid.Grains.Tests;

public sealed class SiloLossTests
{
    /// <summary>
    /// Kills the silo running a request's GPU mid-generation: the request is re-admitted on another
    /// GPU with prompt + tokens so far, and the stream (re-opened from its last offset whenever it
    /// breaks) completes with the tokens an undisturbed run gives. The devices run the Sim backend,
    /// slowed down, so the request is surely mid-generation when the silo dies (the CPU backend
    /// finishes this tiny model's 400 tokens faster than a kill).
    /// </summary>
    [SkippableFact]
    public async Task A_request_survives_the_loss_of_its_gpus_silo()
    {
        var reference = StoriesModel.Greedy()[1];
        const int maxTokens = 400;
        const double SimScale = 200;
        await using var grid = await GridCluster.Start(3, simScale: SimScale);
        var undisturbed = (await Generation.ReadAll(await Submitted(grid, "undisturbed", reference.PromptTokens, maxTokens))).Tokens;
        undisturbed.Should().HaveCount(maxTokens);

        // Several at once, so one lands on a GPU away from the first silo (which the test cluster keeps).
        var grains = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Submitted(grid, $"victim-{i}", reference.PromptTokens, maxTokens)));
        IRequestGrain? victim = null;
        InProcessSiloHandle? silo = null;
        foreach (var g in grains)
        {
            var node = GpuKey.Node((await g.Status()).Gpu!);
            silo = grid.Cluster.Silos.FirstOrDefault(s => s.Name == node && s != grid.Cluster.Silos[0]);
            if (silo is null) continue;
            victim = g;
            break;
        }
        Skip.If(victim is null, "every request was placed on the first silo's GPU");

        var tokens = await Generation.ReadFirst(victim!);
        (await victim.Status()).Phase.Should().Be(RequestPhase.Running, "the test means to kill a GPU mid-generation");
        // A killed process takes its engine threads with it; in one test process they must be stopped by hand.
        silo!.ServiceProvider.GetRequiredService<GpuRuntime>().Dispose();
        await grid.Cluster.KillSiloAsync(silo!);

        var last = await Generation.ReadAcrossBreaks(victim, tokens);
        tokens.Should().Equal(undisturbed, $"the stream ended {last.Finish} ({last.Error})");
        last.Finish.Should().Be(GenerationFinish.Length);
        (await victim.Status()).Admissions.Should().BeGreaterThan(1, "the request was re-admitted after its GPU was lost");
    }

    private static async Task<IRequestGrain> Submitted(GridCluster grid, string id, int[] prompt, int maxTokens)
    {
        var grain = grid.Request(id);
        await grain.Submit(Generation.Greedy(prompt, maxTokens));
        return grain;
    }
}
