namespace Grid.Cuda.Native;

/// <summary>The CUdevice_attribute values the backend and the roofline read (cuda.h's numbering).</summary>
public enum DeviceAttribute
{
    MaxThreadsPerBlock = 1,
    MaxSharedMemoryPerBlock = 8,
    WarpSize = 10,
    ClockRateKHz = 13,
    MultiprocessorCount = 16,
    MemoryClockRateKHz = 36,
    GlobalMemoryBusWidthBits = 37,
    L2CacheSize = 38,
    MaxThreadsPerMultiprocessor = 39,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
    MaxSharedMemoryPerMultiprocessor = 81,
    MaxSharedMemoryPerBlockOptin = 97,
}
