using Grid.Api;
using Grid.Api.Generation;
using Grid.Grains;
using Grid.Engine.Models;
using Grid.Silo.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Hosting;

/// <summary>
/// The silo's web host: the OpenAI-compatible API over the engine, on 127.0.0.1:5000 unless --urls
/// says otherwise, served through the grid: one Orleans silo in this process (localhost clustering, requests in
/// memory) whose one GPU grain runs the model on the CPU backend.
/// </summary>
public static class SiloHost
{
    private static readonly Dictionary<string, string> Switches = new()
    {
        ["--model"] = "Grid:Model",
        ["--tokenizer"] = "Grid:Tokenizer",
        ["--model-id"] = "Grid:ModelId",
        ["--threads"] = "Grid:Threads",
        ["--kv-cache-mib"] = "Grid:KvCacheMiB",
        ["--max-sequences"] = "Grid:MaxSequences",
        ["--api-key"] = "Grid:ApiKeys:0",
        ["--silo-port"] = "Grid:SiloPort",
        ["--gateway-port"] = "Grid:GatewayPort",
    };

    /// <summary>Builds the host; the caller runs it. Bad settings throw, naming the setting.</summary>
    public static WebApplication Build(string[] args, TextWriter log)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddCommandLine(args, Switches);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:5000");
        var options = builder.Configuration.GetSection(GridOptions.Section).Get<GridOptions>() ?? new GridOptions();
        options.Validate();

        if (string.IsNullOrEmpty(options.Model)) log.WriteLine(DemoModel.Notice);
        var model = string.IsNullOrEmpty(options.Model) ? DemoModel.Create() : ModelLoader.Load(options.Model, options.Tokenizer);
        var modelId = options.ModelId ?? (string.IsNullOrEmpty(options.Model) ? "demo" : Path.GetFileNameWithoutExtension(options.Model));
        var blocks = KvBlocks(model.Config, options.KvCacheMiB);
        var preparer = new CallPreparer(modelId, model, model.Config.ContextLength);
        var siloPort = options.SiloPort == 0 ? FreePort() : options.SiloPort;
        var gatewayPort = options.GatewayPort == 0 ? FreePort() : options.GatewayPort;
        log.WriteLine($"serving '{modelId}' ({model.Config.Architecture}, {model.Config.Layers} layers, context {model.Config.ContextLength}) " +
            $"through the grid: one silo on 127.0.0.1:{siloPort} (gateway {gatewayPort}), one GPU grain on the CPU backend, {blocks} KV blocks of {BlockSize} tokens");

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddMemoryGrainStorage(GridStorage.Requests);
            silo.AddGrid(o =>
            {
                o.Model = modelId;
                o.ModelPath = options.Model ?? "";
                o.TokenizerPath = options.Tokenizer;
                // The silo's one device serves the model this host already loaded: loaded once, shared.
                o.ModelSource = () => model;
                o.Devices = 1;
                o.Backend = GpuBackendKind.Cpu;
                o.CpuThreads = options.Threads;
                o.BlockCount = blocks;
                o.BlockSize = BlockSize;
                o.MaxBatchTokens = options.MaxBatchTokens;
                o.MaxSequences = options.MaxSequences;
            });
        });
        builder.Services.AddSingleton(preparer);
        builder.Services.AddSingleton<IGenerationService, GrainGenerationService>();
        builder.Services.AddSingleton(new OpenAiApiOptions { ApiKeys = options.ApiKeys });
        var app = builder.Build();
        app.MapGridOpenAi();
        // The model outlives the silo (its engine threads stop with the GPU grain): release it after the host stops.
        app.Lifetime.ApplicationStopped.Register(model.Dispose);
        return app;
    }

    private const int BlockSize = 16;

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Blocks that fit the KV budget (K and V in F32 for every layer), at least one full context.</summary>
    private static int KvBlocks(ModelConfig c, int mib)
    {
        var bytesPerBlock = 2L * c.Layers * c.KvDim * BlockSize * sizeof(float);
        var blocks = (long)mib * 1024 * 1024 / bytesPerBlock;
        var oneContext = (c.ContextLength + BlockSize - 1) / BlockSize;
        return (int)Math.Clamp(blocks, oneContext, int.MaxValue);
    }
}
