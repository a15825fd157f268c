using Grid.Engine.Compute.Sim;
using Grid.Grains;

namespace Grid.Silo.Hosting;

/// <summary>What this silo offers the grid, from section "Grid": how many devices, on which backend, under which node name.</summary>
public sealed record GridDeviceOptions
{
    /// <summary>Cpu computes the model; Cuda runs it on this machine's CUDA devices (ordinals 0..Devices-1); Sim stands in for a GPU (<see cref="SimGpu"/>) and only takes its time.</summary>
    public GpuBackendKind Backend { get; init; } = GpuBackendKind.Cpu;

    /// <summary>The simulated GPU's name (GpuSpec: H100-SXM, H200, A100-80GB-SXM, L40S).</summary>
    public string SimGpu { get; init; } = "H100-SXM";

    /// <summary>The Sim backend's pace: 1 is the simulated GPU's speed, above 1 slower, below 1 faster.</summary>
    public double SimTimeScale { get; init; } = 1.0;

    /// <summary>GPU grains on this silo; 0 makes a gateway and API silo whose requests run on other silos' devices.</summary>
    public int Devices { get; init; } = 1;

    /// <summary>Names this silo's GPU grains ("node/ordinal"); empty means the machine name and the silo port.</summary>
    public string? NodeName { get; init; }

    public PlacementPolicy Placement { get; init; } = PlacementPolicy.PrefixAware;

    /// <summary>The node name, defaulted so that two silos on one machine (different silo ports) differ.</summary>
    public string Node(int siloPort) => string.IsNullOrEmpty(NodeName) ? $"{Environment.MachineName}-{siloPort}" : NodeName;

    /// <summary>Throws naming the first setting that cannot work.</summary>
    public void Validate()
    {
        Require(Enum.IsDefined(Backend), $"Backend must be one of {string.Join(", ", Enum.GetNames<GpuBackendKind>())} (got {Backend})");
        Require(Backend != GpuBackendKind.Cuda || Devices == 0 || Grid.Cuda.CudaDevice.IsAvailable,
            $"Backend Cuda: no CUDA device here ({Grid.Cuda.CudaDevice.UnavailableReason})");
        Require(Backend != GpuBackendKind.Cuda || Devices == 0 || !Grid.Cuda.CudaDevice.IsAvailable || Devices <= Grid.Cuda.CudaDevice.Count,
            $"Devices: {Devices} asked for, but this machine has {(Grid.Cuda.CudaDevice.IsAvailable ? Grid.Cuda.CudaDevice.Count : 0)} CUDA device(s)");
        Require(KnownGpu(SimGpu), $"SimGpu: unknown GPU '{SimGpu}'; known: {string.Join(", ", GpuSpec.Known.Select(g => g.Name))}");
        Require(double.IsFinite(SimTimeScale) && SimTimeScale >= 0, $"SimTimeScale must be 0 or more (got {SimTimeScale})");
        Require(Devices is >= 0 and <= 1024, $"Devices must be 0 (no GPU: a gateway and API silo) to 1024 (got {Devices})");
        Require(NodeName is null || (NodeName.Trim().Length > 0 && !NodeName.Contains('/')), $"NodeName must be non-empty without '/' (got '{NodeName}')");
        Require(Enum.IsDefined(Placement), $"Placement must be one of {string.Join(", ", Enum.GetNames<PlacementPolicy>())} (got {Placement})");
    }

    private static bool KnownGpu(string name)
    {
        try
        {
            GpuSpec.Get(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException($"{GridOptions.Section}:{message}");
    }
}
