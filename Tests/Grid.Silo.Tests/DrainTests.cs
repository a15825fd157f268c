using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Grid.Silo.Tests;

/// <summary>SIGTERM as a graceful drain: the scenarios over Redis clustering (a redis-server the test starts) and Azure Table
/// storage (an Azurite the test starts), and the setting.</summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Redis_sixteen_streams_finish_through_a_sigterm()
    {
        var (redis, gguf) = await Prerequisites();
        using var _ = redis;
        await DrainScenarios.Sixteen_streams_finish_through_a_sigterm(redis, gguf, output);
    }

    [SkippableFact]
    public async Task Redis_after_a_short_grace_the_rest_moves_to_the_other_silo()
    {
        var (redis, gguf) = await Prerequisites();
        using var _ = redis;
        await DrainScenarios.After_a_short_grace_the_rest_moves_to_the_other_silo(redis, gguf, output);
    }

    [SkippableFact]
    public async Task AzureStorage_sixteen_streams_finish_through_a_sigterm()
    {
        var (azurite, gguf) = await AzurePrerequisites();
        using var _ = azurite;
        await DrainScenarios.Sixteen_streams_finish_through_a_sigterm(azurite, gguf, output);
    }

    [SkippableFact]
    public async Task AzureStorage_after_a_short_grace_the_rest_moves_to_the_other_silo()
    {
        var (azurite, gguf) = await AzurePrerequisites();
        using var _ = azurite;
        await DrainScenarios.After_a_short_grace_the_rest_moves_to_the_other_silo(azurite, gguf, output);
    }

    /// <summary>
    /// A silo alone, stopped with no grace while a stream runs: no other GPU can take the request, so the drain aborts it (the
    /// stream ends early with finish "stop") rather than leave it to stall, and the host stops long before its shutdown timeout.
    /// </summary>
    [Fact]
    public async Task With_no_other_gpu_what_still_runs_is_aborted_and_the_host_stops()
    {
        const int maxTokens = 400;
        var (app, http) = await SiloHostTests.Start("--backend", "Sim", "--sim-time-scale", "500", "--drain-grace", "00:00:00");
        await using var _ = app;
        var chunks = new StrongBox<int>();
        var stream = StreamedCompletion.Read(http, "solo", StreamedCompletion.Body("demo", maxTokens), chunks, CancellationToken.None);
        await Loopback.WaitFor(() => Task.FromResult(Volatile.Read(ref chunks.Value) >= 3), "the stream to be generating", TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        await app.StopAsync();
        var stopped = clock.Elapsed;
        var result = await stream.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"stopped in {stopped.TotalSeconds:0.00} s; the stream ended {result.Finish} after {result.CompletionTokens} tokens ({result.Error})");

        result.Error.Should().BeNull();
        result.Finish.Should().Be("stop", "the request was aborted: it would otherwise end by length");
        result.CompletionTokens.Should().BeLessThan(maxTokens);
        stopped.Should().BeLessThan(TimeSpan.FromSeconds(15), "nothing waits for a grace period of zero");
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("30")] // a bare number binds as days
    [InlineData("soon")]
    public void A_bad_drain_grace_stops_the_host_naming_it(string value)
    {
        var act = () => SiloHost.Build(["--drain-grace", value], TextWriter.Null);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("Grid:DrainGracePeriod"));
    }

    [Theory]
    [InlineData(null, 60)]
    [InlineData("00:00:00", 30)]
    [InlineData("00:02:00", 150)]
    public async Task The_host_gives_its_stop_the_drain_grace_and_a_margin(string? grace, int shutdownSeconds)
    {
        string[] args = grace is null ? [] : ["--drain-grace", grace];
        await using var app = SiloHost.Build([.. args, "--silo-port", "0", "--gateway-port", "0"], TextWriter.Null);
        app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(shutdownSeconds));
    }

    private static async Task<(AzuriteServer Azurite, string Gguf)> AzurePrerequisites()
    {
        var executable = AzuriteServer.RequireExecutable();
        var gguf = DrainScenarios.ModelFile();
        Skip.If(gguf is null, "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        return (await AzuriteServer.Start(executable), gguf!);
    }

    private static async Task<(RedisServer Redis, string Gguf)> Prerequisites()
    {
        var executable = RedisServer.Executable();
        Skip.If(executable is null, "redis-server is not installed (the Debian package redis-server; .ci/run installs it when it runs as root)");
        var gguf = DrainScenarios.ModelFile();
        Skip.If(gguf is null, "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        return (await RedisServer.Start(executable!), gguf!);
    }
}
