namespace Grid.Bench;

/// <summary>The engines the benchmark can compare, by name, each made from a GGUF path.</summary>
public static class BenchEngines
{
    public const string Grid = "grid";
    public const string LlamaCpp = "llama.cpp";

    public sealed record Spec(string Name, Func<string, IBenchEngine> Create);

    public static IReadOnlyList<Spec> Select(string? only, int threads)
    {
        Spec[] all =
        [
            new(Grid, path => new GridEngine(path, threads)),
            new(LlamaCpp, path => new LlamaCppEngine(path, threads)),
        ];
        return only is null ? all : all.Where(s => s.Name == only).ToArray();
    }
}
