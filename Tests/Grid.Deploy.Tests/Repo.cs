namespace Grid.Deploy.Tests;

/// <summary>Paths in the checkout the tests run from (the folder that holds Grid.sln).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Grid.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Grid.sln above {AppContext.BaseDirectory}");
    }
}
