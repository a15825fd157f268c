using Grid.Engine.Models;
using Grid.Engine.Models.Gguf;

namespace Grid.Bench;

/// <summary>Where the benchmark's model files come from when no <c>--model</c> is given.</summary>
public static class BenchModels
{
    /// <summary>The "s110M" shape: llama2.c's 110M TinyStories model's dimensions with a 32000-token vocabulary.</summary>
    public static readonly ModelConfig S110M = new()
    {
        Dim = 768, HiddenDim = 2048, Layers = 12, Heads = 12, KvHeads = 12, VocabSize = 32000, ContextLength = 1024,
    };

    /// <summary>
    /// Returns the path of an s110M-shaped GGUF file with seeded random weights of <paramref name="type"/>
    /// (f32, f16, bf16, q8_0), writing it with Grid's GGUF writer the first time. Weights' values do not
    /// change a transformer's speed, so random ones measure what real ones would.
    /// </summary>
    public static string Ensure(string type)
    {
        var tensorType = type switch
        {
            "f32" => TensorType.F32,
            "f16" => TensorType.F16,
            "bf16" => TensorType.BF16,
            "q8_0" => TensorType.Q8_0,
            _ => throw new ArgumentException($"unknown model type '{type}' (f32, f16, bf16, q8_0)"),
        };
        var dir = Path.Combine(Path.GetTempPath(), "grid-bench");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"s110M-{type}.gguf");
        if (File.Exists(path)) return path;

        Console.Error.WriteLine($"  writing {path}");
        using var model = RandomModel.Create(S110M, tensorType, seed: 110);
        var partial = path + ".partial";
        GgufWriter.Write(model, partial, name: $"s110M-random-{type}");
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
