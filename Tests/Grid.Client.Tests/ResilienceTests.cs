using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grid.Client.Tests;

public sealed class ResilienceTests
{
    /// <summary>
    /// The silo running a streaming chat's GPU dies mid-generation: the client's stream completes with the
    /// tokens of an undisturbed run, nothing repeated. Sim backend, slowed, so the kill lands mid-stream.
    /// </summary>
    [SkippableFact]
    public async Task A_streaming_chat_survives_the_loss_of_its_gpus_silo()
    {
        var reference = StoriesModel.Greedy()[1];
        const int maxTokens = 400;
        await using var grid = await GridCluster.Start(3, simScale: 200);
        using var client = ChatClients.For(grid);
        var options = ChatClients.Greedy(maxTokens);
        var undisturbed = ChatClients.Tokens(await client.GetStreamingResponseAsync(ChatClients.Ask(reference.Prompt), options).ToListAsync());
        undisturbed.Should().HaveCount(maxTokens);

        // Several at once, so one runs on a GPU away from the first silo (which the test cluster keeps).
        var streams = Enumerable.Range(0, 6)
            .Select(_ => client.GetStreamingResponseAsync(ChatClients.Ask(reference.Prompt), options).GetAsyncEnumerator())
            .ToList();
        try
        {
            var firsts = new List<ChatResponseUpdate>();
            foreach (var s in streams)
            {
                (await s.MoveNextAsync()).Should().BeTrue();
                firsts.Add(s.Current);
            }
            int victim = -1;
            InProcessSiloHandle? silo = null;
            for (var i = 0; i < streams.Count && silo is null; i++)
            {
                var node = GpuKey.Node((await grid.Request(firsts[i].ResponseId!).Status()).Gpu!);
                silo = grid.Cluster.Silos.FirstOrDefault(s => s.Name == node && s != grid.Cluster.Silos[0]);
                victim = i;
            }
            Skip.If(silo is null, "every chat was placed on the first silo's GPU");
            (await grid.Request(firsts[victim].ResponseId!).Status()).Phase.Should().Be(RequestPhase.Running);

            silo!.ServiceProvider.GetRequiredService<GpuRuntime>().Dispose();
            await grid.Cluster.KillSiloAsync(silo);

            var updates = new List<ChatResponseUpdate> { firsts[victim] };
            while (await streams[victim].MoveNextAsync()) updates.Add(streams[victim].Current);
            ChatClients.Tokens(updates).Should().Equal(undisturbed);
            updates[^1].FinishReason.Should().Be(ChatFinishReason.Length);
            (await grid.Request(firsts[victim].ResponseId!).Status()).Admissions.Should().BeGreaterThan(1, "the chat was re-admitted after its GPU was lost");
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Stopping_a_stream_early_cancels_the_request_and_frees_the_gpu()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(1, simScale: 200);
        using var client = ChatClients.For(grid);

        string? id = null;
        await foreach (var update in client.GetStreamingResponseAsync(ChatClients.Ask(reference.Prompt), ChatClients.Greedy(400)))
        {
            id = update.ResponseId;
            break;
        }

        var status = await grid.Request(id!).Status();
        status.Finish.Should().Be(GenerationFinish.Abort);
        var gpu = grid.Client.GetGrain<IGpuGrain>(status.Gpu!);
        await grid.WaitFor(async () => await gpu.Load() is { Requests: 0, UsedBlocks: 0 }, "the GPU holds no work");
    }

    [Fact]
    public void The_client_registers_as_the_IChatClient()
    {
        var services = new ServiceCollection();
        services.AddSingleton(UnusedGrainFactory.Create());
        services.AddGridChatClient(o => o.Model = "m");
        using var provider = services.BuildServiceProvider();
        var chat = provider.GetRequiredService<IChatClient>();
        chat.GetService<GridChatClient>().Should().NotBeNull();
        chat.GetService<ChatClientMetadata>()!.DefaultModelId.Should().Be("m");
    }

    [Fact]
    public void Bad_client_options_are_refused_naming_the_setting()
    {
        var services = new ServiceCollection();
        var act = () => services.AddGridChatClient(o => o.AttemptTimeout = TimeSpan.Zero);
        act.Should().Throw<ArgumentException>().WithMessage("*AttemptTimeout*");
    }
}
