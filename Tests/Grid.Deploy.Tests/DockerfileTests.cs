using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Grid.Deploy.Tests;

/// <summary>
/// The images cannot be built here (no Docker engine): these check what each Dockerfile promises, against the repository
/// it builds from: its paths exist, the published assembly is what it starts, and it runs as the manifests expect.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Files => new() { "Dockerfile.cpu", "Dockerfile.cuda" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Builds_with_the_sdk_and_runs_on_a_runtime_image(string file)
    {
        var d = Dockerfile.Load(file);
        d.BaseImages.First().Should().Be("mcr.microsoft.com/dotnet/sdk:10.0");
        var runtime = d.BaseImages.Last();
        if (file == "Dockerfile.cpu") runtime.Should().Be("mcr.microsoft.com/dotnet/aspnet:10.0");
        // NVIDIA's runtime flavour has NVRTC and cuBLAS (the base flavour has neither); 13.x matches libnvrtc.so.13 / libcublas.so.13.
        else runtime.Should().MatchRegex(@"^nvidia/cuda:13\.\d+\.\d+-runtime-ubuntu24\.04$");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Runs_as_a_numeric_non_root_user(string file)
    {
        var user = Dockerfile.Load(file).FinalUser;
        user.Should().MatchRegex("^[0-9]+$", "Kubernetes' runAsNonRoot can only verify a numeric user");
        int.Parse(user, System.Globalization.CultureInfo.InvariantCulture).Should().BePositive();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Exposes_the_contract_ports_listens_on_8080_checks_readiness_and_drains_on_sigterm(string file)
    {
        var d = Dockerfile.Load(file);
        d.InFinalStage("EXPOSE").SelectMany(e => e.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Should().BeEquivalentTo(["8080", "11111", "30000"]);
        d.InFinalStage("ENV").Should().Contain(e => e.Arguments.Contains("ASPNETCORE_URLS=http://+:8080"));
        var health = d.InFinalStage("HEALTHCHECK").Should().ContainSingle().Subject.Arguments;
        health.Should().Contain("http://127.0.0.1:8080/health/ready").And.Contain("curl -f");
        // The health check's client must be in the image: the runtime bases ship none.
        d.InFinalStage("RUN").Should().Contain(r => Regex.IsMatch(r.Arguments, @"apt-get install[^&]*\bcurl\b"));
        d.InFinalStage("STOPSIGNAL").Should().ContainSingle().Which.Arguments.Should().Be("SIGTERM");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Copies_paths_that_exist_and_publishes_the_silo_it_starts(string file)
    {
        var d = Dockerfile.Load(file);
        foreach (var source in d.ContextSources)
            (File.Exists(Repo.Path(source)) || Directory.Exists(Repo.Path(source))).Should().BeTrue($"{file} copies {source}");
        var publish = d.All("RUN").Select(r => Regex.Match(r.Arguments, @"dotnet publish (\S+)")).Single(m => m.Success).Groups[1].Value;
        File.Exists(Repo.Path(publish)).Should().BeTrue($"{file} publishes {publish}");
        var assembly = XDocument.Load(Repo.Path(publish)).Descendants("AssemblyName").Single().Value;
        d.InFinalStage("ENTRYPOINT").Should().ContainSingle().Which.Arguments.Should().Be($"[\"/app/{assembly}\"]");
        // The restore layer copies every project file the silo references, directly or not.
        var copied = d.ContextSources.ToHashSet();
        foreach (var project in ProjectClosure(publish))
            copied.Should().Contain(project, $"{file}'s restore layer needs {project}");
    }

    [Fact]
    public void Cuda_image_is_self_contained_and_carries_the_kernel_sources_where_KernelSources_looks()
    {
        var d = Dockerfile.Load("Dockerfile.cuda");
        var publish = d.All("RUN").Single(r => r.Arguments.Contains("dotnet publish")).Arguments;
        publish.Should().Contain("--self-contained").And.Contain("-r linux-x64").And.Contain("-o /app");
        publish.Should().Contain("test -f /app/CudaKernels/attention.cu");
        d.ContextSources.Should().Contain("CudaKernels/");
        // KernelSources.Directory is AppContext.BaseDirectory/CudaKernels, filled by Grid.Cuda's content items.
        Repo.Read("CudaKernels", "Grid.Cuda", "KernelSources.cs").Should().Contain("Path.Combine(AppContext.BaseDirectory, \"CudaKernels\")");
        Repo.Read("CudaKernels", "Grid.Cuda", "Grid.Cuda.csproj").Should().Contain("Link=\"CudaKernels/%(Filename)%(Extension)\"");
        File.Exists(Repo.Path("CudaKernels", "attention.cu")).Should().BeTrue();
    }

    [Fact]
    public void Dockerignore_keeps_out_build_output_but_not_what_the_images_copy()
    {
        var ignored = File.ReadAllLines(Repo.Path(".dockerignore")).Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        ignored.Should().Contain(["**/bin/", "**/obj/", ".git/"]);
        foreach (var file in new[] { "Dockerfile.cpu", "Dockerfile.cuda" })
        foreach (var source in Dockerfile.Load(file).ContextSources)
        {
            var top = source.TrimEnd('/').Split('/')[0];
            ignored.Should().NotContain([top, top + "/", source], $"{file} copies {source}");
        }
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>();
        var queue = new Queue<string>([project]);
        while (queue.TryDequeue(out var next))
        {
            if (!seen.Add(next)) continue;
            var dir = Path.GetDirectoryName(Repo.Path(next))!;
            foreach (var reference in XDocument.Load(Repo.Path(next)).Descendants("ProjectReference"))
                queue.Enqueue(Path.GetRelativePath(Repo.Root, Path.GetFullPath(Path.Combine(dir, reference.Attribute("Include")!.Value))));
        }
        return seen;
    }
}
