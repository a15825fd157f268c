namespace Grid.Cuda.Tests;

/// <summary>Device memory, streams and events on a real GPU; skipped with the driver's reason elsewhere.</summary>
[Collection("gpu")]
public sealed class DeviceMemoryTests(GpuFixture gpu, ITestOutputHelper output)
{
    [SkippableFact]
    public void Device_reports_its_attributes()
    {
        var context = gpu.Require();
        var device = context.Device;
        var (free, total) = context.MemoryInfo();
        output.WriteLine($"{device}; driver CUDA {CudaDevice.DriverVersion}; {CudaDevice.Count} device(s); " +
                         $"peak DRAM {device.PeakMemoryBandwidth / 1e9:F0} GB/s; free {free >> 20} of {total >> 20} MiB");

        device.ComputeCapability.Major.Should().BeGreaterThanOrEqualTo(7);
        device.MultiprocessorCount.Should().BeGreaterThan(0);
        device.TotalMemoryBytes.Should().BeGreaterThan(1L << 30);
        device.Name.Should().NotBeNullOrWhiteSpace();
        device.Architecture.Should().MatchRegex(@"^sm_\d+$");
        free.Should().BeInRange(1, total);
    }

    [SkippableFact]
    public void Synchronous_upload_and_download_round_trip()
    {
        var context = gpu.Require();
        var data = Enumerable.Range(0, 1 << 20).Select(i => i * 0.25f - 7f).ToArray();
        using var buffer = new DeviceBuffer<float>(context, data.Length + 16);

        buffer.Upload(data, offset: 16);
        var back = new float[data.Length];
        buffer.Download(back, offset: 16);
        back.Should().Equal(data);

        var middle = new float[10];
        buffer.Download(middle, offset: 16 + 1000);
        middle.Should().Equal(data[1000..1010]);
        buffer.Invoking(b => b.Download(new float[17], offset: data.Length)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [SkippableFact]
    public void Asynchronous_copies_through_pinned_memory_on_a_stream_with_events()
    {
        var context = gpu.Require();
        const int n = 1 << 22;
        using var stream = new CudaStream(context, nonBlocking: true);
        using var source = new PinnedHostBuffer<int>(context, n);
        using var destination = new PinnedHostBuffer<int>(context, n);
        using var a = new DeviceBuffer<int>(context, n);
        using var b = new DeviceBuffer<int>(context, n);
        using var start = new CudaEvent(context);
        using var end = new CudaEvent(context);
        for (var i = 0; i < n; i++) source.Span[i] = i ^ 0x5A5A;

        start.Record(stream);
        a.UploadAsync(source, stream);
        b.Clear(stream);
        b.CopyFrom(a, stream);
        b.DownloadAsync(destination, stream);
        end.Record(stream);
        end.Synchronize();

        destination.Span.SequenceEqual(source.Span).Should().BeTrue();
        var ms = end.ElapsedMillisecondsSince(start);
        output.WriteLine($"16 MiB up, device copy, down: {ms:F3} ms");
        ms.Should().BeGreaterThan(0);
    }

    [SkippableFact]
    public void A_second_stream_waits_for_an_event_of_the_first()
    {
        var context = gpu.Require();
        const int n = 1 << 20;
        using var first = new CudaStream(context, nonBlocking: true);
        using var second = new CudaStream(context, nonBlocking: true);
        using var written = new CudaEvent(context, timing: false);
        using var host = new PinnedHostBuffer<float>(context, n);
        using var back = new PinnedHostBuffer<float>(context, n);
        using var buffer = new DeviceBuffer<float>(context, n);
        host.Span.Fill(3.5f);

        buffer.UploadAsync(host, first);
        written.Record(first);
        second.Wait(written);
        buffer.DownloadAsync(back, second);
        second.Synchronize();

        back.Span.IndexOfAnyExcept(3.5f).Should().Be(-1, "every element was written before the read");
    }

    [SkippableFact]
    public void Clear_zeroes_and_empty_buffers_need_no_memory()
    {
        var context = gpu.Require();
        using var buffer = new DeviceBuffer<ushort>(context, 1000);
        buffer.Upload(Enumerable.Repeat((ushort)0xFFFF, 1000).ToArray());
        buffer.Clear();
        var back = new ushort[1000];
        buffer.Download(back);
        back.AsSpan().IndexOfAnyExcept((ushort)0).Should().Be(-1);

        using var empty = new DeviceBuffer<float>(context, 0);
        empty.Pointer.Should().Be(0UL);
        empty.Upload([]);
    }
}
