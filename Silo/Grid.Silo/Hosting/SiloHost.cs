using Grid.Api;
using Grid.Api.Generation;
using Grid.Grains;
using Grid.Engine.Models;
using Grid.Silo.Admin;
using Grid.Silo.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Hosting;

/// <summary>
/// The silo's web host: the OpenAI-compatible API, on 127.0.0.1:5000 unless --urls says otherwise, served through
/// the grid: an Orleans silo in this process (alone with localhost clustering, or in a cluster through Redis or Azure Table storage)
/// whose GPU grains run the model on the CPU backend, or stand in for GPUs on the Sim backend.
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
        ["--admin-key"] = "Grid:AdminKeys:0",
        ["--silo-port"] = "Grid:SiloPort",
        ["--gateway-port"] = "Grid:GatewayPort",
        ["--redis"] = "Grid:Redis",
        ["--clustering"] = "Grid:Clustering",
        ["--azure-storage"] = "Grid:AzureStorage:ConnectionString",
        ["--azure-table-endpoint"] = "Grid:AzureStorage:TableEndpoint",
        ["--kubernetes"] = "Grid:Kubernetes",
        ["--cluster-id"] = "Grid:ClusterId",
        ["--service-id"] = "Grid:ServiceId",
        ["--advertise"] = "Grid:AdvertisedAddress",
        ["--backend"] = "Grid:Backend",
        ["--sim-gpu"] = "Grid:SimGpu",
        ["--sim-time-scale"] = "Grid:SimTimeScale",
        ["--devices"] = "Grid:Devices",
        ["--node"] = "Grid:NodeName",
        ["--placement"] = "Grid:Placement",
        ["--drain-grace"] = "Grid:DrainGracePeriod",
    };

    /// <summary>Builds the host; the caller runs it. Bad settings throw, naming the setting.</summary>
    public static WebApplication Build(string[] args, TextWriter log)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddCommandLine(args, Switches);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:5000");
        var options = Settings.Read<GridOptions>(builder.Configuration);
        var cluster = Settings.Read<GridClusterOptions>(builder.Configuration);
        var devices = Settings.Read<GridDeviceOptions>(builder.Configuration);
        options.Validate();
        cluster.Validate();
        if (cluster.Kubernetes && KubernetesHosting.Problems(cluster, Environment.GetEnvironmentVariable, File.Exists).ToList() is [_, ..] notInPod)
            throw new ArgumentException(string.Join("\n", notInPod));
        devices.Validate();

        if (string.IsNullOrEmpty(options.Model)) log.WriteLine(DemoModel.Notice);
        var model = string.IsNullOrEmpty(options.Model) ? DemoModel.Create() : ModelLoader.Load(options.Model, options.Tokenizer);
        var modelId = options.ModelId ?? (string.IsNullOrEmpty(options.Model) ? "demo" : Path.GetFileNameWithoutExtension(options.Model));
        var blocks = KvBlocks(model.Config, options.KvCacheMiB);
        var preparer = new CallPreparer(modelId, model, model.Config.ContextLength);
        var siloPort = cluster.SiloPort == 0 ? FreePort() : cluster.SiloPort;
        var gatewayPort = cluster.GatewayPort == 0 ? FreePort() : cluster.GatewayPort;
        var node = devices.Node(siloPort);
        log.WriteLine($"serving '{modelId}' ({model.Config.Architecture}, {model.Config.Layers} layers, context {model.Config.ContextLength}) " +
            $"through the grid: {ClusteringSetup.Describe(cluster, siloPort, gatewayPort)}; node '{node}' with {DescribeDevices(devices, blocks)}");

        builder.UseOrleans(silo =>
        {
            ClusteringSetup.Apply(silo, cluster, siloPort, gatewayPort);
            silo.AddGridAdmin();
            silo.AddGrid(o =>
            {
                o.NodeName = node;
                o.Model = modelId;
                o.ModelPath = options.Model ?? "";
                o.TokenizerPath = options.Tokenizer;
                // The silo's devices serve the model this host already loaded: loaded once, shared.
                o.ModelSource = () => model;
                o.Devices = devices.Devices;
                o.Backend = devices.Backend;
                o.CudaBackend = (m, ordinal) => new Grid.Cuda.Backend.CudaBackend(m, new Grid.Cuda.Backend.CudaBackendOptions
                {
                    DeviceOrdinal = ordinal, BlockSize = BlockSize, MaxBatchTokens = options.MaxBatchTokens, MaxSequences = options.MaxSequences,
                });
                o.SimGpu = devices.SimGpu;
                o.SimTimeScale = devices.SimTimeScale;
                o.Placement = devices.Placement;
                o.CpuThreads = options.Threads;
                o.BlockCount = blocks;
                o.BlockSize = BlockSize;
                o.MaxBatchTokens = options.MaxBatchTokens;
                o.MaxSequences = options.MaxSequences;
            });
        });
        builder.Services.AddSingleton(preparer);
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddSingleton<IGenerationService, GrainGenerationService>();
        // SIGTERM drains before Kestrel and the silo stop (SiloDrain); the host must give it the grace period and the stop after it.
        builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<SiloDrain>(sp, options.DrainGracePeriod));
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.DrainGracePeriod + SiloDrain.ShutdownMargin);
        builder.Services.AddSingleton(new OpenAiApiOptions { ApiKeys = options.ApiKeys });
        Telemetry.Add(builder, node);
        var app = builder.Build();
        app.MapGridAdmin();
        app.MapGridOpenAi();
        app.MapGridAdminPage();
        // The model outlives the silo (its engine threads stop with the GPU grain): release it after the host stops.
        app.Lifetime.ApplicationStopped.Register(model.Dispose);
        return app;
    }

    private static string DescribeDevices(GridDeviceOptions d, int blocks) => (d.Devices, d.Backend) switch
    {
        (0, _) => "no GPU (gateway and API only)",
        (_, GpuBackendKind.Sim) => $"{d.Devices} simulated {d.SimGpu} GPU grain(s) at time scale {d.SimTimeScale}",
        (_, GpuBackendKind.Cuda) => $"{d.Devices} GPU grain(s) on CUDA devices 0..{d.Devices - 1}, KV pools sized from device memory",
        _ => $"{d.Devices} GPU grain(s) on the CPU backend, {blocks} KV blocks of {BlockSize} tokens each",
    };

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
