using System.Text.Json;

namespace Grid.Bench.Serving;

/// <summary>Prints serving runs as a table and writes them as JSON.</summary>
public static class ServeReport
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void PrintHeader()
    {
        Console.WriteLine($"{"run",-14} | {"reqs",5} | {"req/s",6} | {"out tok/s",9} | {"tot tok/s",9} | {"TTFT ms p50/p90/p99",22} | {"TPOT ms p50/p90/p99",20} | {"ITL ms p50/p90/p99",20} | {"goodput",13} | {"cached",6} | {"preempt",7} | {"makespan",8}");
        Console.WriteLine(new string('-', 170));
    }

    public static void PrintRow(ServeSummary s)
    {
        var cached = s.PromptTokens == 0 ? 0 : s.CachedPromptTokens / (double)s.PromptTokens;
        Console.WriteLine($"{s.Name,-14} | {s.Requests,5} | {s.RequestThroughput,6:F2} | {s.OutputTokensPerSecond,9:F1} | {s.TotalTokensPerSecond,9:F1} | {Triple(s.TtftMs),22} | {Triple(s.TpotMs),20} | {Triple(s.ItlMs),20} | {s.Goodput,6:F2} ({s.GoodputShare * 100,3:F0}%) | {cached * 100,5:F0}% | {s.Preemptions,7} | {s.MakespanSeconds,7:F1}s");
    }

    public static void PrintSlo(Slo slo) =>
        Console.WriteLine($"goodput: requests/s with TTFT <= {slo.TtftMs:0.#} ms and TPOT <= {slo.TpotMs:0.#} ms (share of requests in brackets)");

    public static void WriteJson(string path, ServeResults results) =>
        File.WriteAllText(path, JsonSerializer.Serialize(results, Json) + "\n");

    static string Triple(double[] v) => string.Join('/', v.Select(Format));

    static string Format(double ms) => double.IsNaN(ms) ? "-" : ms >= 100 ? ms.ToString("F0") : ms.ToString("F1");
}
