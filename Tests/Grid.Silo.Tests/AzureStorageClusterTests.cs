using Azure.Data.Tables;
using Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Xunit.Abstractions;

namespace Grid.Silo.Tests;

/// <summary>Azure Table storage clustering and request storage, against an Azurite this test starts.</summary>
public sealed class AzureStorageClusterTests(ITestOutputHelper output)
{
    /// <summary>Two real silo processes clustered through Azurite's tables: see <see cref="TwoSiloScenario"/>.</summary>
    [SkippableFact]
    public async Task Through_either_silos_gateway_requests_run_on_the_other_silos_gpu_and_survive_its_sigkill()
    {
        var executable = AzuriteServer.RequireExecutable();
        TwoSiloScenario.ModelOrSkip();
        using var azurite = await AzuriteServer.Start(executable);
        await TwoSiloScenario.Run(output, "azure-test", ["--clustering", "AzureStorage", "--azure-storage", azurite.ConnectionString], azurite.Tail);

        // The membership really lives in Azurite: a row for each silo (beside the table's version rows), a's marked dead.
        var rows = new List<TableEntity>();
        await foreach (var row in new TableClient(azurite.ConnectionString, new GridAzureStorageOptions().ClusteringTable).QueryAsync<TableEntity>())
            rows.Add(row);
        var members = rows.Where(r => r.ContainsKey("Status")).ToList();
        output.WriteLine($"membership rows: {string.Join("; ", members.Select(r => $"{r.GetString("SiloName")} {r.GetString("Status")}"))}");
        members.Should().HaveCount(2, "silos a and b joined through the table");
        members.Select(r => r.GetString("Status")).Should().BeEquivalentTo(["Active", "Dead"]);
    }

    /// <summary>Unreachable tables stop the silo with a message naming the setting, not a crash.</summary>
    [Fact]
    public async Task A_silo_whose_tables_cannot_be_reached_stops_naming_grid_azure_storage()
    {
        var closed = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:{Loopback.FreePort()}/devstoreaccount1;";
        using var silo = GridProcess.Start("unreachable", "--clustering", "AzureStorage", "--azure-storage", closed);
        await Loopback.WaitFor(() => Task.FromResult(silo.HasExited), "the silo to give up on its tables", TimeSpan.FromSeconds(120), silo.Tail);
        silo.ExitCode.Should().Be(1, silo.Tail());
        silo.Tail().Should().Contain("error: Grid:AzureStorage: Connection refused");
    }

    /// <summary>The default JSON serializer would give a greedy request back its initializer's Temperature 1.</summary>
    [SkippableFact]
    public async Task Request_storage_round_trips_a_greedy_request_through_azurite()
    {
        using var azurite = await AzuriteServer.Start(AzuriteServer.RequireExecutable());
        var options = new GridAzureStorageOptions { ConnectionString = azurite.ConnectionString };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(Loopback.FreePort(), Loopback.FreePort());
            AzureStorageClustering.AddRequestStorage(silo, options.Client(), options.RequestsTable);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(GridStorage.Requests);
            var id = GrainId.Create("request", "greedy");
            var state = new RequestGrainState
            {
                Request = new GenerationRequest("m", [1, 2, 3], new GenerationOptions { Temperature = 0, MaxTokens = 7 }),
                Tokens = [4, 5],
                Texts = ["a", "b"],
                Phase = RequestPhase.Running,
                Gpu = "a/0",
                Admissions = 1,
            };
            await storage.WriteStateAsync("request", id, new GrainState<RequestGrainState>(state));

            var read = new GrainState<RequestGrainState>(new RequestGrainState());
            await storage.ReadStateAsync("request", id, read);
            read.RecordExists.Should().BeTrue();
            var back = read.State!;
            back.Request!.Options.Temperature.Should().Be(0, "a greedy request stays greedy after a takeover");
            back.Request.Options.MaxTokens.Should().Be(7);
            back.Request.PromptTokens.Should().Equal(1, 2, 3);
            back.Tokens.Should().Equal(4, 5);
            back.Texts.Should().Equal("a", "b");
            back.Gpu.Should().Be("a/0");

            var rows = 0;
            await foreach (var _ in new TableClient(azurite.ConnectionString, options.RequestsTable).QueryAsync<TableEntity>()) rows++;
            rows.Should().Be(1, "the state is in Azurite's table, not in memory");
        }
        catch (Exception e) when (e is not SkipException)
        {
            output.WriteLine(azurite.Tail());
            throw;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
