using System.Text.RegularExpressions;
using Grid.Bench.Load;
using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Bench.Tests;

public sealed class LoadCommandTests
{
    [Fact]
    public void Options_read_rates_durations_and_say_what_is_wrong()
    {
        var o = LoadOptions.Parse(["--url", "http://10.0.0.5:8080", "--rate", "2.5", "--duration", "2m", "--max-tokens", "300", "--model", "m", "--concurrency", "8"]);
        o.Should().BeEquivalentTo(new { Url = new Uri("http://10.0.0.5:8080"), Rate = 2.5, Duration = TimeSpan.FromMinutes(2), MaxTokens = 300, Model = "m", Concurrency = 8 });
        LoadOptions.ParseDuration("90").Should().Be(TimeSpan.FromSeconds(90));
        LoadOptions.ParseDuration("0").Should().Be(TimeSpan.Zero);
        foreach (var (args, named) in new[]
        {
            (new[] { "--rate", "0" }, "--rate"), (["--duration", "5x"], "--duration"), (["--url", "ftp://x"], "--url"),
            (["--max-tokens", "-1"], "--max-tokens"), (["--concurrency"], "--concurrency"), (["--nope"], "--nope"),
        })
        {
            var act = () => LoadOptions.Parse(args);
            act.Should().Throw<ArgumentException>().WithMessage($"*{named}*");
        }
    }

    [Fact]
    public async Task It_drives_a_silo_at_the_rate_and_prints_a_line_a_second()
    {
        var app = SiloHost.Build(["--backend", "sim", "--devices", "1", "--urls", "http://127.0.0.1:0", "--silo-port", "0", "--gateway-port", "0",
            "--Logging:LogLevel:Default", "Warning"], TextWriter.Null);
        await app.StartAsync();
        await using var _ = app;
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var output = new StringWriter();
        var code = await LoadCommand.Run(["--url", url, "--rate", "5", "--duration", "3", "--max-tokens", "16"], output);

        var text = output.ToString();
        code.Should().Be(0, text);
        var lines = Regex.Matches(text, @"^\s*\d+s  sent\s+(\d+)  done\s+(\d+)  errors\s+(\d+)  in flight\s+\d+  tok/s\s+[\d.]+$", RegexOptions.Multiline);
        lines.Count.Should().BeGreaterThanOrEqualTo(3, text);
        lines.Should().OnlyContain(m => m.Groups[3].Value == "0");
        text.Should().Contain("done: 15 sent, 15 done, 0 errors", "5 req/s for 3 s, all finished");
        Regex.Match(text, @"([\d.]+) output tok/s on average").Groups[1].Value.Should().NotBe("0.0");
    }
}
