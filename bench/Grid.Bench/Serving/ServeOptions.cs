using System.Globalization;

namespace Grid.Bench.Serving;

/// <summary>The <c>serve</c> command's settings; defaults left null depend on the backend and are filled in by it.</summary>
public sealed record ServeOptions
{
    public string Backend { get; init; } = "cpu";
    public string? Model { get; init; }
    public string Workload { get; init; } = "sharegpt";
    public string? Trace { get; init; }
    public IReadOnlyList<double>? Rates { get; init; }
    public int? Requests { get; init; }
    public int Seed { get; init; } = 1;
    public int? MaxSeqs { get; init; }
    public int? MaxBatchTokens { get; init; }
    public int Threads { get; init; } = 2;
    public int KvSeqs { get; init; } = 64;
    public double? SloTtftMs { get; init; }
    public double? SloTpotMs { get; init; }
    public int PrefixTokens { get; init; } = SharedPrefixWorkload.DefaultPrefix;
    public int DecodeTokens { get; init; } = 64;
    public bool Checks { get; init; } = true;
    public string Shape { get; init; } = "Llama-3-8B";
    public string Gpu { get; init; } = "H100";
    public double SimMinutes { get; init; } = 10;
    public double SimBusyRate { get; init; } = 45;
    public int SimDecodeTokens { get; init; } = 512;
    public string? Out { get; init; }

    public const string Usage = """
        Grid.Bench serve: serving benchmark (continuous batching through EngineCore under a request workload).
          --backend cpu|sim        cpu (default): s110M F32 on the CPU backend, wall time; sim: simulated GPU, virtual time
          --model PATH             GGUF model for the cpu backend (default: the s110M f32 model)
          --workload NAME          sharegpt (default) or shared-prefix (run with prefix caching on and off)
          --trace FILE.jsonl       replay {"arrival_s":..,"prompt_tokens":..,"output_tokens":..} lines instead
          --rates R1,R2,..         request rates in req/s, "inf" = all at t=0
          --requests N             requests per run
          --seed N                 workload seed (default 1)
          --max-seqs N             EngineOptions.MaxSequences (cpu 32, sim 256)
          --max-batch-tokens N     EngineOptions.MaxBatchTokens (cpu 512, sim 8192)
          --threads N              cpu backend threads (default 2)
          --kv-seqs N              cpu KV pool size in full-context sequences (default 64)
          --slo-ttft-ms X          goodput's TTFT objective (cpu 2000, sim 500)
          --slo-tpot-ms X          goodput's TPOT objective (cpu 250, sim 50)
          --prefix-tokens N        shared-prefix system prompt length (default 1000, shortened to fit the context)
          --decode-tokens N        steps of the cpu batch-32 decode reference (default 64)
          --no-checks              skip the backend's reference measurements
          --shape NAME --gpu NAME  the sim backend's model shape and GPU (default Llama-3-8B on H100)
          --sim-minutes X          sim long-run check: minutes of virtual arrivals (default 10)
          --sim-busy-rate R        sim long-run check: request rate in req/s (default 45, near an H100's Llama-3-8B capacity)
          --sim-decode-tokens N    sim batch-64 decode check: output tokens per sequence (default 512)
          --out FILE               write the results as JSON
        """;

    public static ServeOptions Parse(string[] args)
    {
        var o = new ServeOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive() => int.TryParse(Value(), out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number");
            double Number() => double.TryParse(Value(), CultureInfo.InvariantCulture, out var x) && x > 0 ? x : throw new ArgumentException($"{args[i - 1]} needs a positive number");
            o = args[i] switch
            {
                "--backend" => o with { Backend = OneOf(Value(), "--backend", "cpu", "sim") },
                "--model" => o with { Model = Value() },
                "--workload" => o with { Workload = OneOf(Value(), "--workload", "sharegpt", "shared-prefix") },
                "--trace" => o with { Trace = Value() },
                "--rates" => o with { Rates = ParseRates(Value()) },
                "--requests" => o with { Requests = Positive() },
                "--seed" => o with { Seed = int.TryParse(Value(), out var s) ? s : throw new ArgumentException("--seed needs a whole number") },
                "--max-seqs" => o with { MaxSeqs = Positive() },
                "--max-batch-tokens" => o with { MaxBatchTokens = Positive() },
                "--threads" => o with { Threads = Positive() },
                "--kv-seqs" => o with { KvSeqs = Positive() },
                "--slo-ttft-ms" => o with { SloTtftMs = Number() },
                "--slo-tpot-ms" => o with { SloTpotMs = Number() },
                "--prefix-tokens" => o with { PrefixTokens = Positive() },
                "--decode-tokens" => o with { DecodeTokens = Positive() },
                "--no-checks" => o with { Checks = false },
                "--shape" => o with { Shape = Value() },
                "--gpu" => o with { Gpu = Value() },
                "--sim-minutes" => o with { SimMinutes = Number() },
                "--sim-busy-rate" => o with { SimBusyRate = Number() },
                "--sim-decode-tokens" => o with { SimDecodeTokens = int.TryParse(Value(), out var d) && d > 1 ? d : throw new ArgumentException("--sim-decode-tokens needs a whole number above 1") },
                "--out" => o with { Out = Value() },
                _ => throw new ArgumentException($"unknown serve option {args[i]}"),
            };
        }
        if (o.Model is not null && !File.Exists(o.Model)) throw new ArgumentException($"--model {o.Model}: no such file");
        if (o.Trace is not null && !File.Exists(o.Trace)) throw new ArgumentException($"--trace {o.Trace}: no such file");
        if (o.Trace is not null && o.Workload != "sharegpt") throw new ArgumentException("--trace replaces the workload; leave --workload out");
        if (o.Model is not null && o.Backend != "cpu") throw new ArgumentException("--model is for the cpu backend; the sim backend takes --shape");
        return o;
    }

    public static IReadOnlyList<double> ParseRates(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r =>
            r.Equals("inf", StringComparison.OrdinalIgnoreCase) ? double.PositiveInfinity
            : double.TryParse(r, CultureInfo.InvariantCulture, out var x) && x > 0 && double.IsFinite(x) ? x
            : throw new ArgumentException($"--rates: '{r}' is neither a positive number nor inf")).ToArray();

    public static string RateLabel(double rate) => double.IsPositiveInfinity(rate) ? "inf" : rate.ToString("0.###", CultureInfo.InvariantCulture);

    static string OneOf(string value, string option, params string[] allowed) =>
        allowed.Contains(value) ? value : throw new ArgumentException($"{option} {value}: expected {string.Join(" or ", allowed)}");
}
