using System.Net.Http.Json;
using System.Text.Json;
using Grid.Api;
using Grid.Api.Generation;
using Grid.Engine.Models;
using Grid.Engine.Models.Tokenizers;
using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Tests;

/// <summary>The HTTP API in front of in-process grid clusters: what a silo host serves, with the silos spread over one to three.</summary>
public sealed class GridHttpTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Greedy_references_come_out_exactly_through_the_http_api(int silos)
    {
        var references = StoriesModel.Greedy();
        await using var grid = await GridCluster.Start(silos);
        using var model = ModelLoader.Load(StoriesModel.Gguf);
        await using var app = await Serve(grid, model);
        using var http = Client(app);

        var replies = await Task.WhenAll(references.Select(r => http.PostAsJsonAsync("/v1/completions",
            new { model = StoriesModel.Id, prompt = r.Prompt, max_tokens = 64, temperature = 0, ignore_eos = true })));
        for (var i = 0; i < references.Count; i++)
        {
            replies[i].StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
            var body = await replies[i].Content.ReadFromJsonAsync<JsonElement>();
            body.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(Decode(model.Tokenizer, references[i]), $"'{references[i].Prompt}' on {silos} silo(s)");
            body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().Be(references[i].PromptTokens.Length);
        }
    }

    /// <summary>A client that hangs up mid-stream: the host cancels the request grain, which frees the GPU's blocks.</summary>
    [SkippableFact]
    public async Task Disconnecting_mid_stream_cancels_the_request_and_frees_the_gpu()
    {
        var reference = StoriesModel.Greedy()[0];
        // Slowed Sim devices: the hang-up surely lands mid-generation.
        await using var grid = await GridCluster.Start(1, simScale: 200);
        using var model = ModelLoader.Load(StoriesModel.Gguf);
        await using var app = await Serve(grid, model);
        using var http = Client(app);

        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { model = StoriesModel.Id, prompt = reference.Prompt, max_tokens = 400, ignore_eos = true, stream = true }),
        };
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
            {
            }
        }
        var gpu = grid.Client.GetGrain<IGpuGrain>((await grid.Registry.List()).Single());
        await grid.WaitFor(async () => await gpu.Load() is { Requests: 0, UsedBlocks: 0 }, "the GPU holds no work after the client left");
        // Not merely finished by now: aborted, short of its 400 tokens.
        var requests = await grid.Client.GetGrain<IManagementGrain>(0).GetActiveGrains(GrainType.Create("request"));
        var status = await grid.Client.GetGrain<IRequestGrain>(requests.Single()).Status();
        status.Finish.Should().Be(GenerationFinish.Abort);
        status.GeneratedTokens.Should().BeLessThan(400);
    }

    private static async Task<WebApplication> Serve(GridCluster grid, Model model)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new CallPreparer(StoriesModel.Id, model, model.Config.ContextLength));
        builder.Services.AddSingleton<IGrainFactory>(grid.Client);
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddSingleton<IGenerationService, GrainGenerationService>();
        builder.Services.AddSingleton(new OpenAiApiOptions());
        var app = builder.Build();
        app.MapGridOpenAi();
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) =>
        new() { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

    private static string Decode(ITokenizer tokenizer, StoriesModel.Reference r)
    {
        var decoder = new TokenDecoder(tokenizer, r.PromptTokens[^1]);
        return string.Concat(r.GeneratedTokens.Select(decoder.Append)) + decoder.Flush();
    }
}
