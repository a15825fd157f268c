using System.Runtime.InteropServices;
using Grid.Cuda.Native;

namespace Grid.Cuda;

/// <summary>
/// One GPU as the driver numbers it, with the attributes the backend and the roofline need. The driver is
/// initialised (cuInit) once, on first use; <see cref="IsAvailable"/> answers without throwing where there is no
/// driver or no GPU, so tests and hosts can decide to skip or fall back.
/// </summary>
public sealed unsafe class CudaDevice
{
    private static readonly Lazy<string?> InitFailure = new(Initialize);

    private CudaDevice(int ordinal, int handle)
    {
        Ordinal = ordinal;
        Handle = handle;
        Name = ReadName(handle);
        ComputeCapability = (Attribute(DeviceAttribute.ComputeCapabilityMajor), Attribute(DeviceAttribute.ComputeCapabilityMinor));
        MultiprocessorCount = Attribute(DeviceAttribute.MultiprocessorCount);
        nuint total;
        Check.Driver(DriverApi.cuDeviceTotalMem_v2(&total, handle));
        TotalMemoryBytes = (long)total;
    }

    /// <summary>True where the driver loads, initialises and sees at least one GPU.</summary>
    public static bool IsAvailable => InitFailure.Value is null;

    /// <summary>Why <see cref="IsAvailable"/> is false (null when it is true).</summary>
    public static string? UnavailableReason => InitFailure.Value;

    public static int Count
    {
        get
        {
            EnsureInitialized();
            int count;
            Check.Driver(DriverApi.cuDeviceGetCount(&count));
            return count;
        }
    }

    /// <summary>The driver's CUDA version, e.g. 13.0 for 13000.</summary>
    public static Version DriverVersion
    {
        get
        {
            EnsureInitialized();
            int v;
            Check.Driver(DriverApi.cuDriverGetVersion(&v));
            return new Version(v / 1000, v % 1000 / 10);
        }
    }

    public int Ordinal { get; }
    /// <summary>The CUdevice handle.</summary>
    public int Handle { get; }
    public string Name { get; }
    public (int Major, int Minor) ComputeCapability { get; }
    public int MultiprocessorCount { get; }
    public long TotalMemoryBytes { get; }

    /// <summary>The NVRTC target for this device's own machine code, e.g. <c>sm_90</c>.</summary>
    public string Architecture => $"sm_{ComputeCapability.Major}{ComputeCapability.Minor}";

    /// <summary>
    /// Peak DRAM bandwidth in bytes/s from the memory clock and bus width (double data rate, as HBM and GDDR
    /// transfer), for the roofline; null where the driver reports either as zero.
    /// </summary>
    public double? PeakMemoryBandwidth
    {
        get
        {
            var clockKHz = Attribute(DeviceAttribute.MemoryClockRateKHz);
            var busBits = Attribute(DeviceAttribute.GlobalMemoryBusWidthBits);
            return clockKHz > 0 && busBits > 0 ? 2.0 * clockKHz * 1000 * busBits / 8 : null;
        }
    }

    public static CudaDevice Get(int ordinal)
    {
        EnsureInitialized();
        int handle;
        Check.Driver(DriverApi.cuDeviceGet(&handle, ordinal));
        return new CudaDevice(ordinal, handle);
    }

    public static IReadOnlyList<CudaDevice> All() => Enumerable.Range(0, Count).Select(Get).ToArray();

    public int Attribute(DeviceAttribute attribute)
    {
        int value;
        Check.Driver(DriverApi.cuDeviceGetAttribute(&value, attribute, Handle));
        return value;
    }

    public override string ToString() =>
        $"{Name} ({Architecture}, {MultiprocessorCount} SMs, {TotalMemoryBytes / (1L << 20)} MiB)";

    internal static void EnsureInitialized()
    {
        if (InitFailure.Value is { } reason) throw new InvalidOperationException($"no CUDA device: {reason}");
    }

    private static string? Initialize()
    {
        var load = CudaLibraries.Load(CudaLibraries.Driver);
        if (!load.Found) return load.Failure;
        try
        {
            var init = DriverApi.cuInit(0);
            if (init != CuResult.CUDA_SUCCESS) return $"cuInit failed: {DriverErrors.Describe(init).Name} (driver {load.Path})";
            int count;
            var counted = DriverApi.cuDeviceGetCount(&count);
            if (counted != CuResult.CUDA_SUCCESS) return $"cuDeviceGetCount failed: {DriverErrors.Describe(counted).Name}";
            return count == 0 ? $"the driver ({load.Path}) sees no GPU" : null;
        }
        catch (EntryPointNotFoundException e)
        {
            // A stub or very old libcuda.so.1.
            return $"{load.Path} lacks an entry point: {e.Message}";
        }
    }

    private static string ReadName(int handle)
    {
        var buffer = stackalloc byte[256];
        Check.Driver(DriverApi.cuDeviceGetName(buffer, 256, handle));
        return Marshal.PtrToStringUTF8((nint)buffer) ?? "";
    }
}
