using System.Text.Json;

namespace Grid.Bench;

/// <summary>Prints the results as a table per model type, and writes them as JSON.</summary>
public static class Report
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static void PrintHeader(double bandwidthGBps, int threads) =>
        Console.WriteLine($"memory read bandwidth: {bandwidthGBps:F1} GB/s ({threads} threads, best of 5)");

    public static void PrintTable(GgufSummary model, IReadOnlyList<BenchRow> rows, double bandwidthGBps)
    {
        Console.WriteLine();
        Console.WriteLine($"== {model.TypeLabel}: {Path.GetFileName(model.Path)}, {model.DecodeWeightBytes / 1e6:F1} MB of weights read per decode step");
        Console.WriteLine($"{"name",-16} | {"grid tok/s (min/med/max)",-28} | {"llama.cpp tok/s (min/med/max)",-30} | {"ratio",6} | discarded");
        Console.WriteLine($"{new string('-', 16)}-|-{new string('-', 28)}-|-{new string('-', 30)}-|-{new string('-', 6)}-|----------");
        foreach (var row in rows)
        {
            var ratio = row.Ratio is { } r ? r.ToString("F2") : "-";
            var noisy = row.Noisy ? " (noisy runs kept)" : "";
            Console.WriteLine($"{row.Name,-16} | {Cell(row.GridResult),-28} | {Cell(row.LlamaCppResult),-30} | {ratio,6} | {row.Discarded}{noisy}");
        }
        foreach (var row in rows.Where(r => r.RooflineTokensPerSecond is not null))
        {
            var roofline = row.RooflineTokensPerSecond!.Value;
            Console.WriteLine($"roofline {row.Name}: {bandwidthGBps:F1} GB/s / {model.DecodeWeightBytes / 1e6:F1} MB = {roofline:F1} tok/s;"
                + $" grid {Share(row.Grid, roofline)}, llama.cpp {Share(row.Llamacpp, roofline)} of it");
        }
    }

    public static void WriteJson(string path, IReadOnlyList<BenchRow> rows) =>
        File.WriteAllText(path, JsonSerializer.Serialize(rows, Json) + "\n");

    static string Cell(Throughput? t) => t?.ToString() ?? "-";

    static string Share(double? tokensPerSecond, double roofline) =>
        tokensPerSecond is { } t ? $"{t / roofline * 100:F0}%" : "-";
}
