using Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Grid.Silo.Tests;

/// <summary>SIGTERM as a graceful drain: the scenarios over Redis clustering (a redis-server the test starts), and the setting.</summary>
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

    private static async Task<(RedisServer Redis, string Gguf)> Prerequisites()
    {
        var executable = RedisServer.Executable();
        Skip.If(executable is null, "redis-server is not installed (the Debian package redis-server; .ci/run installs it when it runs as root)");
        var gguf = DrainScenarios.ModelFile();
        Skip.If(gguf is null, "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        return (await RedisServer.Start(executable!), gguf!);
    }
}
