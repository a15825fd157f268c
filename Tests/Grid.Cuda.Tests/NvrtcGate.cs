namespace Grid.Cuda.Tests;

/// <summary>
/// The compile tests need NVRTC. Where it is missing they skip, saying so, except where GRID_REQUIRE_NVRTC=1
/// (.ci/run sets it): there a missing NVRTC fails them, so CI never passes without compiling every kernel.
/// </summary>
public static class NvrtcGate
{
    public const string RequireVariable = "GRID_REQUIRE_NVRTC";

    public static void Require()
    {
        if (Nvrtc.IsAvailable(out var reason)) return;
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            throw new InvalidOperationException(
                $"NVRTC is required here ({RequireVariable}=1) but {reason}. Install Debian's libnvrtc11.2 (non-free), as .ci/run does.");
        Skip.If(true, $"NVRTC not available: {reason}");
    }
}
