using Grid.Bench;
using Grid.Bench.Serving;

if (args.Length > 0 && args[0] == "serve") return ServeCommand.Run(args[1..]);
if (args.Length > 0 && args[0] == "load") return await Grid.Bench.Load.LoadCommand.RunInConsole(args[1..]);
if (args.Length > 0 && args[0] == "e2e") return await Grid.Bench.EndToEnd.E2eCommand.Run(args[1..]);

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

LlamaCppLog.Verbose = options.Verbose;
var monitor = QuietMonitor.Available ? new QuietMonitor() : null;
if (monitor is null) Console.Error.WriteLine("warning: no /proc/stat here, so noisy runs cannot be detected");

try
{
    // Model files first: writing them is slow and can fail, and neither should disturb the bandwidth figure.
    var paths = options.Model is { } model ? [model] : options.Types.Select(BenchModels.Ensure).ToArray();
    var bandwidth = MemoryBandwidth.Measure(options.Threads);
    Report.PrintHeader(bandwidth, options.Threads);

    var repeater = new Repeater(options.Reps, options.MaxDiscards, monitor);
    var workloads = new Workloads(repeater, options.Tokens, bandwidth);
    var engines = BenchEngines.Select(options.Only, options.Threads);

    var rows = new List<BenchRow>();
    foreach (var path in paths)
    {
        var summary = GgufSummary.Read(path);
        var modelRows = workloads.Run(summary, engines);
        Report.PrintTable(summary, modelRows, bandwidth);
        rows.AddRange(modelRows);
    }
    if (options.Out is { } output) Report.WriteJson(output, rows);
    return 0;
}
catch (Exception e) when (e is NotSupportedException or InvalidDataException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
