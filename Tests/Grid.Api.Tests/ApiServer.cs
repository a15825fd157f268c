using Grid.Api.Generation;
using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Api.Tests;

/// <summary>The API on 127.0.0.1 (a free port) over stories260K on the CPU backend.</summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string ModelId = "stories260K";

    private readonly Model _model;
    private readonly IComputeBackend _backend;
    private readonly WebApplication _app;

    private ApiServer(Model model, IComputeBackend backend, EngineGenerationService service, WebApplication app, Uri address)
    {
        _model = model;
        _backend = backend;
        Service = service;
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public EngineGenerationService Service { get; }

    /// <summary>The step gate, when started gated.</summary>
    public GatedBackend? Gate => _backend as GatedBackend;
    public Uri Address { get; }
    public HttpClient Client { get; }

    /// <param name="gated">Each engine step waits for the test's <see cref="GatedBackend.Allow"/>.</param>
    public static async Task<ApiServer> Start(string modelPath, OpenAiApiOptions? options = null, bool gated = false)
    {
        var model = ModelLoader.Load(modelPath);
        IComputeBackend backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 256, Threads = 1 });
        if (gated) backend = new GatedBackend(backend);
        var service = new EngineGenerationService(ModelId, model, backend, new EngineOptions { MaxSequences = 16 });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IGenerationService>(service);
        var app = builder.Build();
        app.MapGridOpenAi(options: options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(model, backend, service, app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Gate?.Open();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Service.Dispose();
        _backend.Dispose();
        _model.Dispose();
    }
}
