using System.Globalization;

namespace Grid.Bench.Load;

/// <summary>Options of the <c>load</c> command.</summary>
public sealed record LoadOptions
{
    public Uri Url { get; init; } = new("http://127.0.0.1:5000");
    public double Rate { get; init; } = 2;
    /// <summary>How long to send; zero sends until Ctrl+C.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxTokens { get; init; } = 128;
    /// <summary>Null asks the server (GET /v1/models) and takes the first.</summary>
    public string? Model { get; init; }
    /// <summary>Requests in flight at most; an arrival past it waits for a slot (and the line's sent count says so).</summary>
    public int Concurrency { get; init; } = 64;
    public string? ApiKey { get; init; } = Environment.GetEnvironmentVariable("GRID_API_KEY");
    public int Seed { get; init; } = 1;

    public const string Usage =
        "usage: Grid.Bench load [--url http://127.0.0.1:5000] [--rate REQ_PER_S] [--duration 60s|2m|0] [--max-tokens N] [--model ID]"
        + " [--concurrency N] [--api-key KEY (or GRID_API_KEY)] [--seed N]";

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Positive()
            {
                var v = Value();
                return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} takes a positive integer (got '{v}')");
            }
            o = name switch
            {
                "--url" => o with { Url = Uri.TryCreate(Value(), UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u : throw new ArgumentException($"--url takes an http(s) address (got '{args[i]}')") },
                "--rate" => o with { Rate = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 && double.IsFinite(r) ? r : throw new ArgumentException($"--rate takes requests per second above 0 (got '{args[i]}')") },
                "--duration" => o with { Duration = ParseDuration(Value()) },
                "--max-tokens" => o with { MaxTokens = Positive() },
                "--model" => o with { Model = Value() },
                "--concurrency" => o with { Concurrency = Positive() },
                "--api-key" => o with { ApiKey = Value() },
                "--seed" => o with { Seed = Positive() },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        return o;
    }

    /// <summary>"90" or "90s" seconds, "2m" minutes, "1h" hours; "0" for no end.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || !double.IsFinite(n))
            throw new ArgumentException($"--duration takes seconds, or a number with s, m or h (got '{text}')");
        return unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => throw new ArgumentException($"--duration takes seconds, or a number with s, m or h (got '{text}')"),
        };
    }
}
