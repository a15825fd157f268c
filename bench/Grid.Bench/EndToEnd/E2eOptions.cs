using System.Globalization;

namespace Grid.Bench.EndToEnd;

/// <summary>Options of the <c>e2e</c> command.</summary>
public sealed record E2eOptions
{
    public string? Model { get; init; }
    public int Streams { get; init; } = 32;
    public int Requests { get; init; } = 96;
    public int PromptTokens { get; init; } = 128;
    public int OutputTokens { get; init; } = 128;
    public int Threads { get; init; } = 2;
    public int Seed { get; init; } = 1;
    public string? Out { get; init; }

    public const string Usage =
        "usage: Grid.Bench e2e [--model PATH] [--streams N] [--requests N] [--prompt-tokens N] [--output-tokens N] [--threads N] [--seed N] [--out FILE.json]";

    public static E2eOptions Parse(string[] args)
    {
        var o = new E2eOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive()
            {
                var name = args[i];
                var v = Value();
                return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} takes a positive integer (got '{v}')");
            }
            o = args[i] switch
            {
                "--model" => o with { Model = Value() },
                "--streams" => o with { Streams = Positive() },
                "--requests" => o with { Requests = Positive() },
                "--prompt-tokens" => o with { PromptTokens = Positive() },
                "--output-tokens" => o with { OutputTokens = Positive() },
                "--threads" => o with { Threads = Positive() },
                "--seed" => o with { Seed = Positive() },
                "--out" => o with { Out = Value() },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }
        return o;
    }
}
