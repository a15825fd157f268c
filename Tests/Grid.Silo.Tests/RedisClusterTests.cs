using Xunit.Abstractions;

namespace Grid.Silo.Tests;

/// <summary>Two real silo processes on loopback, clustered through a redis-server this test starts: see <see cref="TwoSiloScenario"/>.</summary>
public sealed class RedisClusterTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Through_the_second_silos_gateway_requests_run_on_the_first_silos_gpu_and_survive_its_sigkill()
    {
        var redisServer = RedisServer.Executable();
        Skip.If(redisServer is null, "redis-server is not installed (the Debian package redis-server; .ci/run installs it when it runs as root)");
        TwoSiloScenario.ModelOrSkip();
        using var redis = await RedisServer.Start(redisServer!);
        await TwoSiloScenario.Run(output, "redis-test", ["--redis", redis.ConnectionString], redis.Tail);
    }
}
