using System.Diagnostics;
using Xunit.Abstractions;

namespace Grid.Cuda.Tests;

/// <summary>
/// Runs CudaKernels/emulator: every kernel compiled as C++ with one fiber per thread, real barriers and the
/// documented mma.sync layout, against independent references. The nearest to running the kernels that a
/// machine without a GPU gets; it checks logic, indexing and synchronisation, not the hardware.
/// </summary>
public sealed class EmulatorTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Every_kernel_matches_its_reference_in_the_cpu_emulation()
    {
        var script = RepositoryFile("CudaKernels/emulator/run.sh");
        Skip.If(script is null, "CudaKernels/emulator/run.sh not found above the test's folder");
        Skip.If(!OnPath("g++"), "g++ is not installed (the emulator needs g++ 12 or newer)");
        using var process = Process.Start(new ProcessStartInfo("bash", [script!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        output.WriteLine(stdout.Result);
        output.WriteLine(stderr.Result);
        process.ExitCode.Should().Be(0, $"the emulated kernels disagree with their references:\n{Tail(stdout.Result)}\n{Tail(stderr.Result)}");
        stdout.Result.Should().Contain("all passed");
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(30));

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, program)));

    private static string? RepositoryFile(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Grid.sln"))) return File.Exists(Path.Combine(d.FullName, relative)) ? Path.Combine(d.FullName, relative) : null;
        return null;
    }
}
