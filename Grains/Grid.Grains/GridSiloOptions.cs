namespace Grid.Grains;

/// <summary>How a silo takes part in the grid: its node name, its devices and the model they serve.</summary>
public sealed class GridSiloOptions
{
    /// <summary>This silo's node name: GPU grains "node/ordinal" live on the silo whose node name is "node".</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>Devices (engine instances) on this silo; GPU grains "node/0" .. "node/Devices-1".</summary>
    public int Devices { get; set; } = 1;

    /// <summary>The model id clients name; the registry and router are keyed by it.</summary>
    public string Model { get; set; } = "";

    /// <summary>The model file (GGUF or llama2.c checkpoint), loaded once per silo and shared by its devices.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Gives the model instead of loading <see cref="ModelPath"/> (a host that already holds it, or a built-in
    /// model). Called once per silo; the caller owns what it returns and disposes it after the silo stops.
    /// </summary>
    public Func<Grid.Engine.Models.Model>? ModelSource { get; set; }

    /// <summary>A llama2.c checkpoint's tokenizer; GGUF files carry their own.</summary>
    public string? TokenizerPath { get; set; }

    public GpuBackendKind Backend { get; set; } = GpuBackendKind.Cpu;

    /// <summary>
    /// Makes the CUDA backend for (model, device ordinal) when <see cref="Backend"/> is Cuda. A factory rather
    /// than a reference keeps the grains free of the CUDA bindings; the silo host passes Grid.Cuda's.
    /// </summary>
    public Func<Grid.Engine.Models.Model, int, Grid.Engine.Compute.IComputeBackend>? CudaBackend { get; set; }

    /// <summary>KV blocks per device (CPU backend; the Sim backend sizes its pool from the GPU's memory).</summary>
    public int BlockCount { get; set; } = 256;

    /// <summary>Tokens per KV block. One value for the whole cluster: routers hash prompts with their own silo's value.</summary>
    public int BlockSize { get; set; } = 16;
    public int MaxBatchTokens { get; set; } = 512;
    public int MaxSequences { get; set; } = 64;

    /// <summary>CPU backend worker threads per device; 0 means one per core.</summary>
    public int CpuThreads { get; set; }

    /// <summary>The Sim backend's GPU (GpuSpec names: H100-SXM, H200, A100-80GB-SXM, L40S).</summary>
    public string SimGpu { get; set; } = "H100-SXM";

    /// <summary>The Sim backend's pace: 1 is real time, below 1 faster.</summary>
    public double SimTimeScale { get; set; } = 1.0;

    public PlacementPolicy Placement { get; set; } = PlacementPolicy.PrefixAware;

    /// <summary>
    /// Prefix-aware placement: how many requests of load a fully cached prompt is worth (a half cached one is
    /// worth half). 0 ignores the cache; large values pile work onto the GPU holding the prefix.
    /// </summary>
    public double PrefixWeight { get; set; } = 2;

    /// <summary>How long a router trusts a GPU's load report, counting its own placements into it meanwhile.</summary>
    public TimeSpan LoadReportMaxAge { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a GPU grain tells the KV block grains which blocks its prefix cache stored or evicted.</summary>
    public TimeSpan KvFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often GPU grains push their report (load, requests, latencies) to the cluster view grain.</summary>
    public TimeSpan ClusterReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The cluster view forgets a GPU that has not reported for this long (its silo died, or it stopped).</summary>
    public TimeSpan ClusterReportExpiry { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often GPU grains re-join their model's registry (it keeps no state of its own).</summary>
    public TimeSpan RegistryHeartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running request that hears nothing from its GPU this long asks whether the GPU still holds it.</summary>
    public TimeSpan StallCheck { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a request keeps looking for a GPU (registry refilling, silos failing over) before it fails.</summary>
    public TimeSpan PlacementTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A request persists its tokens after this many new ones (and always at the end).</summary>
    public int PersistEvery { get; set; } = 32;

    public void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(NodeName) && !NodeName.Contains('/'), $"Grid:NodeName must be non-empty without '/' (got '{NodeName}')");
        Check(Devices >= 0, $"Grid:Devices must be 0 or more (got {Devices})");
        Check(Devices == 0 || !string.IsNullOrWhiteSpace(Model), "Grid:Model must name the model this silo's devices serve");
        Check(Devices == 0 || ModelSource is not null || File.Exists(ModelPath), $"Grid:ModelPath '{ModelPath}' is not a file");
        Check(BlockCount >= 1 && BlockSize >= 1 && MaxBatchTokens >= 1 && MaxSequences >= 1, "Grid:BlockCount, BlockSize, MaxBatchTokens and MaxSequences must be at least 1");
        Check(Backend != GpuBackendKind.Cuda || CudaBackend is not null, "Grid:Backend Cuda needs a CUDA backend factory (GridSiloOptions.CudaBackend; the silo host sets Grid.Cuda's)");
        Check(CpuThreads >= 0, $"Grid:CpuThreads must be 0 (one per core) or more (got {CpuThreads})");
        Check(PersistEvery >= 1, $"Grid:PersistEvery must be at least 1 (got {PersistEvery})");
        Check(StallCheck > TimeSpan.Zero && RegistryHeartbeat > TimeSpan.Zero && PlacementTimeout > TimeSpan.Zero,
            "Grid:StallCheck, RegistryHeartbeat and PlacementTimeout must be positive");
        Check(LoadReportMaxAge > TimeSpan.Zero && KvFlushInterval > TimeSpan.Zero, "Grid:LoadReportMaxAge and KvFlushInterval must be positive");
        Check(ClusterReportInterval > TimeSpan.Zero && ClusterReportExpiry > ClusterReportInterval,
            "Grid:ClusterReportInterval must be positive and Grid:ClusterReportExpiry longer than it");
        Check(PrefixWeight >= 0 && double.IsFinite(PrefixWeight), $"Grid:PrefixWeight must be 0 or more (got {PrefixWeight})");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
