namespace Grid.Cuda.Tests;

public sealed class CompileCacheTests : IDisposable
{
    private const string Source = "extern \"C\" __global__ void scale(float* x, float a, int n) { int i = threadIdx.x; if (i < n) x[i] *= a; }";
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"grid-cubin-{Guid.NewGuid():N}");

    [SkippableFact]
    public void Second_compile_comes_from_memory()
    {
        NvrtcGate.Require();
        var compiler = new KernelCompiler();
        var first = compiler.Compile("scale.cu", Source, "sm_80");
        var second = compiler.Compile("scale.cu", Source, "sm_80");

        first.Origin.Should().Be(CompileOrigin.Compiled);
        second.Origin.Should().Be(CompileOrigin.MemoryCache);
        second.Cubin.Should().BeSameAs(first.Cubin);
        compiler.Compile("scale.cu", Source, "sm_90").Origin.Should().Be(CompileOrigin.Compiled, "the architecture is part of the key");
    }

    [SkippableFact]
    public void A_new_compiler_finds_the_cubin_on_disk_until_the_source_changes()
    {
        NvrtcGate.Require();
        var first = new KernelCompiler(dir).Compile("scale.cu", Source, "sm_90");
        var again = new KernelCompiler(dir).Compile("scale.cu", Source, "sm_90");
        var edited = new KernelCompiler(dir).Compile("scale.cu", Source.Replace("*= a", "+= a"), "sm_90");

        Directory.GetFiles(dir).Select(Path.GetFileName).Should().HaveCount(2).And.AllSatisfy(f => f.Should().StartWith("scale-sm_90-").And.EndWith(".cubin"));
        again.Origin.Should().Be(CompileOrigin.DiskCache);
        again.Cubin.Should().Equal(first.Cubin);
        again.Kernels.Should().Equal("scale");
        edited.Origin.Should().Be(CompileOrigin.Compiled);
    }

    [SkippableFact]
    public void Headers_are_included_and_part_of_the_key()
    {
        NvrtcGate.Require();
        const string user = "#include \"k.cuh\"\nextern \"C\" __global__ void k(float* x) { x[0] = K; }";
        var one = new KernelCompiler(dir, new Dictionary<string, string> { ["k.cuh"] = "#define K 1.0f" }).Compile("k.cu", user, "sm_80");
        var two = new KernelCompiler(dir, new Dictionary<string, string> { ["k.cuh"] = "#define K 2.0f" }).Compile("k.cu", user, "sm_80");

        one.Origin.Should().Be(CompileOrigin.Compiled);
        two.Origin.Should().Be(CompileOrigin.Compiled);
        two.Cubin.Should().NotEqual(one.Cubin);
    }

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
