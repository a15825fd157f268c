namespace Grid.Cuda.Tests;

/// <summary>
/// Device 0's primary context, shared by the tests of the "gpu" collection (run one at a time), and its own
/// compiled convert.cu. Where there is no device, every test that asks for it skips with the driver's reason.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    private readonly Lazy<CudaModule> convert;

    public GpuFixture()
    {
        convert = new Lazy<CudaModule>(() =>
        {
            NvrtcGate.Require();
            var compiled = KernelSources.Compiler().CompileFile(Path.Combine(KernelSources.Directory, "convert.cu"), Device!.Architecture);
            return CudaModule.Load(Context!, compiled);
        });
        if (!CudaDevice.IsAvailable) return;
        Device = CudaDevice.Get(0);
        Context = CudaContext.RetainPrimary(Device);
    }

    public CudaDevice? Device { get; }
    public CudaContext? Context { get; }

    /// <summary>The context, current on the calling thread (xunit may run each test on another thread), or a skip.</summary>
    public CudaContext Require()
    {
        Skip.IfNot(CudaDevice.IsAvailable, $"no CUDA device: {CudaDevice.UnavailableReason}");
        Context!.MakeCurrent();
        return Context;
    }

    /// <summary>convert.cu compiled for this device and loaded (needs NVRTC too).</summary>
    public CudaModule Convert
    {
        get
        {
            Require();
            return convert.Value;
        }
    }

    public void Dispose()
    {
        if (Context is null) return;
        Context.MakeCurrent();
        if (convert.IsValueCreated) convert.Value.Dispose();
        Context.Dispose();
    }
}

[CollectionDefinition("gpu")]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>;
