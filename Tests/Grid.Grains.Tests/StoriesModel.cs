using System.Text.Json;

namespace Grid.Grains.Tests;

/// <summary>
/// The shared stories260K model and its run.c reference generations: $GRID_MODELS_DIR, else
/// ../shared/models beside the checkout (as in the engine's tests).
/// </summary>
public static class StoriesModel
{
    public const string Id = "stories260K";

    private static readonly string? Dir = Find();

    public static string Gguf => Require("stories260K/stories260K-f32.gguf");

    public sealed record Reference(string Prompt, int[] PromptTokens, int[] GeneratedTokens);

    /// <summary>The greedy (temperature 0) references.</summary>
    public static IReadOnlyList<Reference> Greedy()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Require("stories260K/reference.json")));
        return doc.RootElement.EnumerateArray()
            .Where(r => r.GetProperty("temperature").GetSingle() == 0)
            .Select(r => new Reference(
                r.GetProperty("prompt").GetString()!,
                r.GetProperty("prompt_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
                r.GetProperty("generated_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray()))
            .ToList();
    }

    private static string Require(string relative)
    {
        Skip.If(Dir is null, "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        var path = Path.Combine(Dir!, relative);
        Skip.IfNot(File.Exists(path), $"reference model file {path} is missing (GRID_MODELS_DIR={Dir})");
        return path;
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("GRID_MODELS_DIR");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (!File.Exists(Path.Combine(d.FullName, "Grid.sln"))) continue;
            var shared = Path.Combine(d.FullName, "..", "shared", "models");
            return Directory.Exists(shared) ? Path.GetFullPath(shared) : null;
        }
        return null;
    }
}
