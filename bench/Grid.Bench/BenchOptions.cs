namespace Grid.Bench;

/// <summary>Command-line settings; plain parsing, because there are only a handful.</summary>
public sealed record BenchOptions
{
    public string? Model { get; init; }
    public IReadOnlyList<string> Types { get; init; } = ["f32", "f16"];
    public string? Only { get; init; }
    public int Reps { get; init; } = 3;
    public int Tokens { get; init; } = 128;
    public int Threads { get; init; } = 2;
    public int MaxDiscards { get; init; } = 10;
    public string? Out { get; init; }
    public bool Verbose { get; init; }

    public const string Usage = """
        Grid.Bench: Grid against llama.cpp on the same GGUF file.
          --model PATH        bench this GGUF file instead of the s110M f32/f16 models
          --types f32,f16     which s110M models to write and bench (ignored with --model)
          --only ENGINE       run one side only: grid or llamacpp
          --reps N            kept repetitions per measurement (default 3, after one warm-up)
          --tokens N          decode steps per decode measurement (default 128)
          --threads N         threads per engine (default 2)
          --max-discards N    noisy repetitions to re-run per measurement before keeping them (default 10)
          --out FILE          write the results as JSON
          --verbose           show llama.cpp's own log
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive() => int.TryParse(Value(), out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number");
            options = args[i] switch
            {
                "--model" => options with { Model = Value() },
                "--types" => options with { Types = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--only" => options with { Only = Engine(Value()) },
                "--reps" => options with { Reps = Positive() },
                "--tokens" => options with { Tokens = Positive() },
                "--threads" => options with { Threads = Positive() },
                "--max-discards" => options with { MaxDiscards = int.TryParse(Value(), out var n) && n >= 0 ? n : throw new ArgumentException("--max-discards needs a whole number") },
                "--out" => options with { Out = Value() },
                "--verbose" => options with { Verbose = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (options.Model is not null && !File.Exists(options.Model))
            throw new ArgumentException($"--model {options.Model}: no such file");
        return options;
    }

    static string Engine(string name) => name.ToLowerInvariant() switch
    {
        "grid" => BenchEngines.Grid,
        "llamacpp" or "llama.cpp" => BenchEngines.LlamaCpp,
        _ => throw new ArgumentException($"--only {name}: expected grid or llamacpp"),
    };
}
