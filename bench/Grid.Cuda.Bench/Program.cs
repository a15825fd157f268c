using Grid.Cuda;
using Grid.Cuda.Bench;

// The GPU machine's one program: `check` (kernel and end-to-end checks), `bench` (Llama-3-8B-shaped figures), or `all`.
var command = args.FirstOrDefault() ?? "all";
string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var outDir = Option("--out", Environment.GetEnvironmentVariable("OUT") ?? ".");
var models = Option("--models", Path.Combine(AppContext.BaseDirectory, "models"));
var steps = int.Parse(Option("--steps", "20"), System.Globalization.CultureInfo.InvariantCulture);
Directory.CreateDirectory(outDir);

var results = new Results();
if (!CudaDevice.IsAvailable)
{
    results.Check("device", false, $"no CUDA device: {CudaDevice.UnavailableReason}");
    results.Write(Path.Combine(outDir, "gpu-results.json"));
    return 1;
}
results.Note("device", CudaDevice.Get(0).ToString());
void Step(string name, Action action)
{
    try
    {
        action();
    }
    catch (Exception e)
    {
        results.Check(name, false, $"{e.GetType().Name}: {e.Message}");
        Console.Error.WriteLine(e);
    }
}
if (command is "check" or "all")
{
    Step("kernels", () => KernelChecks.Run(results));
    Step("forward", () => ReferenceCheck.ForwardAgainstCpu(results));
    Step("stories260K", () => ReferenceCheck.Stories(models, results));
}
var small = args.Contains("--small");
if (command is "bench" or "all") Step("bench", () => GpuBench.Run(results, steps, small));
results.Write(Path.Combine(outDir, "gpu-results.json"));
Console.WriteLine($"{results.Failures} failed checks; results in {Path.Combine(outDir, "gpu-results.json")}");
return results.Failures == 0 ? 0 : 1;
