namespace Grid.Api.Tests;

/// <summary>Finds the shared reference models: $GRID_MODELS_DIR, else ../shared/models beside the checkout.</summary>
public static class TestModels
{
    public static readonly string? Dir = Find();

    public const string StoriesGguf = "stories260K/stories260K-f32.gguf";

    /// <summary>The path of a file under the models folder, or null when it is missing.</summary>
    public static string? Path(string relative)
    {
        if (Dir is null) return null;
        var path = System.IO.Path.Combine(Dir, relative);
        return File.Exists(path) ? path : null;
    }

    public static string SkipMessage(string relative) =>
        $"reference model file {relative} not found: set GRID_MODELS_DIR or place the models in ../shared/models beside the checkout (GRID_MODELS_DIR={Dir})";

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("GRID_MODELS_DIR");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(d.FullName, "Grid.sln"))) continue;
            var shared = System.IO.Path.Combine(d.FullName, "..", "shared", "models");
            return Directory.Exists(shared) ? System.IO.Path.GetFullPath(shared) : null;
        }
        return null;
    }
}
