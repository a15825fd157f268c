using Grid.Silo.Cli;
using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;

// The grid's one executable: with no command (or `serve`) it runs the silo host; `generate` streams one completion.
try
{
    switch (args.FirstOrDefault())
    {
        case "generate":
            return GenerateCommand.Run(args.Skip(1), Console.Out, Console.Error);
        case "--help" or "-h" or "help":
            return Help(Console.Out, 0);
        case null or "serve":
        case var option when option.StartsWith("--", StringComparison.Ordinal):
            SiloHost.Build(args.SkipWhile(a => a == "serve").ToArray(), Console.Error).Run();
            return 0;
        default:
            throw new UsageException($"unknown command '{args[0]}'");
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return Help(Console.Error, 2);
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or NotSupportedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (StackExchange.Redis.RedisConnectionException e)
{
    // The silo cannot join (or start) its cluster without the membership table: say which setting to look at.
    Console.Error.WriteLine($"error: Grid:Redis: {e.Message}");
    return 1;
}
catch (Exception e) when (AzureStorageClustering.Failure(e) is { } reason)
{
    Console.Error.WriteLine($"error: Grid:AzureStorage: {reason}");
    return 1;
}

static int Help(TextWriter w, int code)
{
    w.WriteLine("grid: an LLM inference grid for .NET. Commands:");
    w.WriteLine("  grid [serve] [--model PATH] [--tokenizer PATH] [--urls URL] [--api-key KEY] [--threads N] [--kv-cache-mib N] [--max-sequences N] [--silo-port N] [--gateway-port N]");
    w.WriteLine("      the silo host: the OpenAI-compatible API (/v1/chat/completions, /v1/completions, /v1/models, /health/live, /health/ready)");
    w.WriteLine("      on http://127.0.0.1:5000, over the built-in demo model unless --model names a GGUF or llama2.c file");
    w.WriteLine("      [--redis HOST:PORT] [--cluster-id ID] [--service-id ID] [--advertise IP]: a cluster of silos through Redis (default: one silo, localhost clustering)");
    w.WriteLine("      [--clustering Localhost|Redis|AzureStorage] [--azure-storage CONNECTION-STRING] [--azure-table-endpoint URL]: or through Azure Table storage,");
    w.WriteLine("      with a connection string or a managed identity; [--kubernetes true]: in a Kubernetes pod, Orleans' pod identity and pod watch");
    w.WriteLine("      [--drain-grace HH:MM:SS]: on SIGTERM, how long running requests get to finish before the rest move to other GPUs (default 00:00:30)");
    w.WriteLine("      [--admin-key KEY]: /admin, /admin/api/* and /orleans need this key (Bearer, or log in at /admin?key=KEY); without one they are open");
    w.WriteLine("      [--node NAME] [--devices N] [--backend Cpu|Sim] [--sim-gpu H100-SXM|H200|A100-80GB-SXM|L40S] [--sim-time-scale X] [--placement LeastLoaded|RoundRobin]");
    w.WriteLine("      this silo's GPU grains (--devices 0: a gateway and API silo); settings are also read from appsettings.json (section Grid) and Grid__* variables");
    w.WriteLine(GenerateCommand.Usage);
    return code;
}
