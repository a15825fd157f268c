using Grid.Cuda.Native;

namespace Grid.Cuda.Tests;

/// <summary>The resolver's search, with a fake environment and loader; and what a missing driver looks like.</summary>
public sealed class CudaLibrariesTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Override_folders_come_first_then_CUDA_PATH_then_the_usual_places()
    {
        var dirs = CudaLibraries.SearchDirectories(Env(("GRID_CUDA_LIB_DIR", "/a:/b"), ("CUDA_PATH", "/opt/cuda")));

        dirs.Should().StartWith(["/a", "/b", "/opt/cuda/lib64", "/opt/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/lib64"]);
        dirs.Should().Contain("/usr/local/cuda/targets/x86_64-linux/lib");
        CudaLibraries.SearchDirectories(Env()).Should().StartWith(["/usr/local/cuda/lib64"]);
    }

    [Fact]
    public void Versioned_names_are_tried_newest_first()
    {
        CudaLibraries.FileNamesOf(CudaLibraries.Driver).Should().Equal("libcuda.so.1");
        CudaLibraries.FileNamesOf(CudaLibraries.Nvrtc).Should().Equal("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2");
        CudaLibraries.FileNamesOf(CudaLibraries.Cublas).Should().Equal("libcublas.so.13", "libcublas.so.12");
    }

    [Fact]
    public void The_first_file_that_loads_wins()
    {
        var tried = new List<string>();
        var result = CudaLibraries.Resolve(CudaLibraries.Nvrtc, Env(("GRID_CUDA_LIB_DIR", "/x")), path =>
        {
            tried.Add(path);
            return path == "/usr/local/cuda/lib64/libnvrtc.so.12" ? 42 : 0;
        });

        result.Found.Should().BeTrue();
        result.Handle.Should().Be(42);
        result.Path.Should().Be("/usr/local/cuda/lib64/libnvrtc.so.12");
        tried.Should().StartWith(["/x/libnvrtc.so.13", "/x/libnvrtc.so.12", "/x/libnvrtc.so.11.2", "/usr/local/cuda/lib64/libnvrtc.so.13"]);
    }

    [Fact]
    public void The_system_loader_is_asked_last_by_bare_name()
    {
        var result = CudaLibraries.Resolve(CudaLibraries.Cublas, Env(), path => path == "libcublas.so.12" ? 7 : 0);

        result.Path.Should().Be("libcublas.so.12");
        result.Searched.Should().EndWith(["libcublas.so.13 (system loader)", "libcublas.so.12 (system loader)"]);
    }

    [Fact]
    public void A_missing_library_names_every_place_searched()
    {
        var result = CudaLibraries.Resolve(CudaLibraries.Driver, Env(("GRID_CUDA_LIB_DIR", "/mine")), _ => 0);

        result.Found.Should().BeFalse();
        result.Failure.Should().Contain("'cuda' was not found").And.Contain("/mine/libcuda.so.1")
            .And.Contain("/usr/local/nvidia/lib64/libcuda.so.1").And.Contain("libcuda.so.1 (system loader)").And.Contain("GRID_CUDA_LIB_DIR");
        result.Invoking(r => r.HandleOrThrow()).Should().Throw<DllNotFoundException>().WithMessage("*/mine/libcuda.so.1*");
    }

    [Fact]
    public void Cublas_loads_its_own_cublasLt_from_the_same_folder_first()
    {
        var dir = Directory.CreateTempSubdirectory("grid-cublas-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "libcublas.so.12"), []);
            var loads = new List<string>();
            var result = CudaLibraries.Resolve(CudaLibraries.Cublas, Env(("GRID_CUDA_LIB_DIR", dir)), path =>
            {
                loads.Add(path);
                return path.EndsWith("/libcublas.so.12") ? 9 : 0;
            });

            result.Path.Should().Be(Path.Combine(dir, "libcublas.so.12"));
            loads.Should().Equal(Path.Combine(dir, "libcublas.so.13"), Path.Combine(dir, "libcublasLt.so.12"), Path.Combine(dir, "libcublas.so.12"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Unknown_logical_names_are_refused() =>
        FluentActions.Invoking(() => CudaLibraries.FileNamesOf("cudnn")).Should().Throw<ArgumentException>();

    [SkippableFact]
    public void Without_a_driver_the_device_is_unavailable_and_calls_say_why()
    {
        Skip.If(CudaLibraries.Load(CudaLibraries.Driver).Found, "a CUDA driver is installed on this machine");

        CudaDevice.IsAvailable.Should().BeFalse();
        CudaDevice.UnavailableReason.Should().Contain("libcuda.so.1");
        FluentActions.Invoking(() => CudaDevice.Count).Should().Throw<InvalidOperationException>().WithMessage("no CUDA device: *libcuda.so.1*");
        // A direct call reaches the resolver, whose exception (not the runtime's generic one) names the search.
        FluentActions.Invoking(() => DriverApi.cuInit(0)).Should().Throw<DllNotFoundException>().WithMessage("*GRID_CUDA_LIB_DIR*");
    }
}
