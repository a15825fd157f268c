namespace Grid.Grains;

public enum GpuBackendKind
{
    /// <summary>The CPU backend computes the model for real.</summary>
    Cpu,

    /// <summary>The simulated backend takes the time a roofline model of <see cref="GridSiloOptions.SimGpu"/> says.</summary>
    Sim,

    /// <summary>A CUDA device, through <see cref="GridSiloOptions.CudaBackend"/> (the silo host supplies it from Grid.Cuda).</summary>
    Cuda,
}
