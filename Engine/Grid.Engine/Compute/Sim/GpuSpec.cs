namespace Grid.Engine.Compute.Sim;

/// <summary>
/// What the roofline model needs to know about a GPU. Figures are NVIDIA's datasheet numbers:
/// dense (not 2:4-sparse) BF16 tensor-core throughput, and memory as the datasheet's decimal
/// gigabytes (the CUDA-visible total is a few percent larger, so capacity plans err on the safe side).
/// </summary>
/// <param name="Name">The canonical name, as listed by <see cref="Known"/>.</param>
/// <param name="PeakFlops">Dense BF16 tensor-core FLOP/s.</param>
/// <param name="MemoryBandwidth">Device memory bandwidth, bytes/s.</param>
/// <param name="MemoryBytes">Device memory, bytes.</param>
/// <param name="LinkBandwidth">GPU-to-GPU bandwidth one way, bytes/s (tensor-parallel all-reduces).</param>
public sealed record GpuSpec(string Name, double PeakFlops, double MemoryBandwidth, long MemoryBytes, double LinkBandwidth)
{
    // H100 SXM5 datasheet: BF16 tensor core 1,979 TFLOPS "with sparsity" = 989 dense; HBM3 3.35 TB/s;
    // 80 GB; NVLink 4 900 GB/s total = 450 GB/s each way.
    public static readonly GpuSpec H100Sxm = new("H100-SXM", 989e12, 3.35e12, 80_000_000_000, 450e9);

    // H200 SXM datasheet: same compute die as H100 (1,979 sparse = 989 dense BF16); HBM3e 4.8 TB/s;
    // 141 GB; NVLink 900 GB/s total.
    public static readonly GpuSpec H200 = new("H200", 989e12, 4.8e12, 141_000_000_000, 450e9);

    // A100 datasheet (80GB SXM): BF16 tensor core 312 TFLOPS dense (624 sparse); HBM2e 2,039 GB/s;
    // 80 GB; NVLink 3 600 GB/s total = 300 GB/s each way.
    public static readonly GpuSpec A100Sxm80 = new("A100-80GB-SXM", 312e12, 2.039e12, 80_000_000_000, 300e9);

    // L40S datasheet: BF16 tensor core 362.05 TFLOPS dense (733 sparse); GDDR6 864 GB/s; 48 GB;
    // no NVLink, so all-reduces cross PCIe Gen4 x16 at ~32 GB/s each way.
    public static readonly GpuSpec L40S = new("L40S", 362.05e12, 864e9, 48_000_000_000, 32e9);

    private static readonly Dictionary<string, GpuSpec> ByName = BuildNames();

    /// <summary>The table's GPUs.</summary>
    public static IReadOnlyList<GpuSpec> Known { get; } = [H100Sxm, H200, A100Sxm80, L40S];

    /// <summary>Finds a GPU by name or alias, ignoring case, spaces, hyphens and underscores ("h100", "H100 SXM").</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static GpuSpec Get(string name) => ShapeNames.Find(ByName, Known.Select(g => g.Name), "GPU", name);

    private static Dictionary<string, GpuSpec> BuildNames()
    {
        var names = new Dictionary<string, GpuSpec>();
        void Add(GpuSpec gpu, params string[] aliases)
        {
            names[ShapeNames.Normalize(gpu.Name)] = gpu;
            foreach (var alias in aliases) names[ShapeNames.Normalize(alias)] = gpu;
        }

        Add(H100Sxm, "h100", "h100-sxm5", "h100-80gb");
        Add(H200, "h200-sxm", "h200-141gb");
        Add(A100Sxm80, "a100", "a100-80gb", "a100-sxm", "a100-sxm4-80gb");
        Add(L40S, "l40s-48gb");
        return names;
    }
}
