using Grid.Api;
using Grid.Api.Generation;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
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
/// says otherwise. Today one engine in this process serves it; the grid's grains take its place.
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
        var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = blocks, Threads = options.Threads, MaxBatchTokens = options.MaxBatchTokens });
        var service = new EngineGenerationService(modelId, model, backend, new EngineOptions { MaxSequences = options.MaxSequences });
        log.WriteLine($"serving '{modelId}' ({model.Config.Architecture}, {model.Config.Layers} layers, context {model.Config.ContextLength}) " +
            $"on the CPU backend ({backend.Kernels} kernels), {blocks} KV blocks of {backend.BlockSize} tokens");

        builder.Services.AddSingleton<IGenerationService>(service);
        builder.Services.AddSingleton(new OpenAiApiOptions { ApiKeys = options.ApiKeys });
        var app = builder.Build();
        app.MapGridOpenAi();
        // The engine outlives requests: release it (thread, native memory, mapped file) after the server stops.
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            service.Dispose();
            backend.Dispose();
            model.Dispose();
        });
        return app;
    }

    /// <summary>Blocks that fit the KV budget (K and V in F32 for every layer), at least one full context.</summary>
    private static int KvBlocks(ModelConfig c, int mib)
    {
        const int blockSize = 16;
        var bytesPerBlock = 2L * c.Layers * c.KvDim * blockSize * sizeof(float);
        var blocks = (long)mib * 1024 * 1024 / bytesPerBlock;
        var oneContext = (c.ContextLength + blockSize - 1) / blockSize;
        return (int)Math.Clamp(blocks, oneContext, int.MaxValue);
    }
}
