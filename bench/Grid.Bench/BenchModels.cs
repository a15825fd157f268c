namespace Grid.Bench;

/// <summary>Where the benchmark's model files come from when no <c>--model</c> is given.</summary>
public static class BenchModels
{
    /// <summary>
    /// Returns the path of an s110M-shaped GGUF file (dim 768, 12 layers, 12 heads, 12 KV heads, ffn 2048,
    /// vocab 32000, ctx 1024) with random weights of <paramref name="type"/>, writing it first if needed.
    /// </summary>
    public static string Ensure(string type) =>
        // To be filled at merge with Grid.Engine.Models.Gguf.GgufWriter and RandomModel.Create(config, type, seed),
        // which live on another branch for now.
        throw new NotSupportedException(
            $"cannot write the s110M {type} model yet (GgufWriter is not on this branch); pass --model PATH to bench an existing GGUF file");
}
