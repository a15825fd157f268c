namespace Grid.Engine.Tests;

/// <summary>Finds the shared reference models: $GRID_MODELS_DIR, else ../shared/models beside the checkout.</summary>
public static class TestModels
{
    public static readonly string? Dir = Find();

    /// <summary>The path of a file under the models folder, or a skip that names the variable to set.</summary>
    public static string Require(string relative)
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
