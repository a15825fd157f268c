using System.Net.Http.Json;
using System.Text.Json;
using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Silo.Tests;

public sealed class SiloHostTests
{
    /// <summary>Starts the host on free ports, logging warnings only; the client talks to its HTTP address.</summary>
    internal static async Task<(WebApplication App, HttpClient Http)> Start(params string[] args)
    {
        var app = SiloHost.Build([.. args, "--urls", "http://127.0.0.1:0", "--silo-port", "0", "--gateway-port", "0", "--Logging:LogLevel:Default", "Warning"], TextWriter.Null);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task With_no_settings_the_demo_model_is_served()
    {
        var (app, http) = await Start();
        await using var _ = app;
        var models = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        models.GetProperty("data")[0].GetProperty("id").GetString().Should().Be("demo");
        var reply = await http.PostAsJsonAsync("/v1/completions", new { model = "demo", prompt = "Hi", max_tokens = 3, seed = 1 });
        reply.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await http.GetAsync("/health/ready")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task A_real_model_named_on_the_command_line_gives_the_reference_story()
    {
        var path = Path.Combine(GenerateCommandTests.StoriesDirForTests() ?? "", "stories260K.bin");
        Skip.IfNot(File.Exists(path), "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        var (app, http) = await Start("--model", path);
        await using var _ = app;
        var reply = await http.PostAsJsonAsync("/v1/completions",
            new { model = "stories260K", prompt = "Once upon a time", max_tokens = 64, temperature = 0, ignore_eos = true });
        var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said");
    }

    /// <summary>Log-probabilities travel with the tokens through the grains: greedy picks the likeliest, so each chosen token heads its alternatives.</summary>
    [SkippableFact]
    public async Task Log_probabilities_come_through_the_grid()
    {
        var path = Path.Combine(GenerateCommandTests.StoriesDirForTests() ?? "", "stories260K.bin");
        Skip.IfNot(File.Exists(path), "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        var (app, http) = await Start("--model", path);
        await using var _ = app;
        var reply = await http.PostAsJsonAsync("/v1/completions",
            new { model = "stories260K", prompt = "Once upon a time", max_tokens = 12, temperature = 0, ignore_eos = true, logprobs = 3 });
        reply.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        var choice = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0];
        var logprobs = choice.GetProperty("logprobs");
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()).ToList();
        tokens.Should().HaveCount(12);
        string.Concat(tokens).Should().Be(choice.GetProperty("text").GetString());
        var chosen = logprobs.GetProperty("token_logprobs").EnumerateArray().Select(t => t.GetSingle()).ToList();
        var top = logprobs.GetProperty("top_logprobs").EnumerateArray().ToList();
        for (var i = 0; i < 12; i++)
        {
            chosen[i].Should().BeLessThanOrEqualTo(0);
            var alternatives = top[i].EnumerateObject().ToList();
            alternatives.Should().HaveCount(3);
            alternatives.Max(a => a.Value.GetSingle()).Should().BeApproximately(chosen[i], 1e-5f, "greedy takes the likeliest token");
        }
    }

    /// <summary>--admin-key guards the admin API (the grid's own cluster view answers behind it), not the OpenAI API.</summary>
    [Fact]
    public async Task The_admin_key_guards_the_admin_api_and_not_the_openai_api()
    {
        var (app, http) = await Start("--admin-key", "k1", "--node", "host-node");
        await using var _ = app;
        (await http.GetAsync("/admin/api/cluster")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        (await http.GetAsync("/v1/models")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "k1");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement gpus;
        do
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the silo's GPU never showed in the cluster view");
            await Task.Delay(50);
            gpus = (await http.GetFromJsonAsync<JsonElement>("/admin/api/cluster")).GetProperty("gpus");
        }
        while (gpus.GetArrayLength() == 0);
        gpus[0].GetProperty("key").GetString().Should().Be("host-node/0");
        gpus[0].GetProperty("model").GetString().Should().Be("demo");
    }

    [Theory]
    [InlineData("--threads", "-1", "Grid:Threads")]
    [InlineData("--model", "no/such.gguf", "Grid:Model")]
    [InlineData("--max-sequences", "0", "Grid:MaxSequences")]
    [InlineData("--silo-port", "70000", "Grid:SiloPort")]
    [InlineData("--redis", "127.0.0.1:6379,nosuchoption=1", "Grid:Redis")]
    [InlineData("--redis", ",", "Grid:Redis")]
    [InlineData("--cluster-id", " ", "Grid:ClusterId")]
    [InlineData("--advertise", "not-an-address", "Grid:AdvertisedAddress")]
    [InlineData("--Grid:ProbeTimeout", "00:00:00", "Grid:ProbeTimeout")]
    [InlineData("--Grid:DeadSiloLease", "-00:00:01", "Grid:DeadSiloLease")]
    [InlineData("--backend", "Cuda", "Grid:Backend")]
    [InlineData("--backend", "7", "Grid:Backend")]
    [InlineData("--sim-gpu", "B300", "Grid:SimGpu")]
    [InlineData("--sim-time-scale", "-1", "Grid:SimTimeScale")]
    [InlineData("--devices", "-1", "Grid:Devices")]
    [InlineData("--devices", "two", "Grid:Devices")]
    [InlineData("--node", "a/b", "Grid:NodeName")]
    [InlineData("--placement", "Random", "Grid:Placement")]
    [InlineData("--admin-key", " ", "Grid:AdminKeys")]
    public void A_bad_setting_stops_the_host_naming_it(string option, string value, string named)
    {
        var act = () => SiloHost.Build([option, value], TextWriter.Null);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains(named));
    }
}
