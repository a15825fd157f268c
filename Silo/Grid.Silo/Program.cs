using Grid.Silo.Cli;

// The grid's one executable. Today it runs `generate`; the grid issue makes it the silo host too.
try
{
    return args.FirstOrDefault() switch
    {
        "generate" => GenerateCommand.Run(args.Skip(1), Console.Out, Console.Error),
        "--help" or "-h" or "help" or null => Help(Console.Out, 0),
        var other => throw new UsageException($"unknown command '{other}'"),
    };
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

static int Help(TextWriter w, int code)
{
    w.WriteLine("grid: an LLM inference grid for .NET. Commands:");
    w.WriteLine(GenerateCommand.Usage);
    return code;
}
