using System.Reflection;

namespace Grid.Deploy.Tests;

/// <summary>
/// The silo's configuration keys under section "Grid", read from its options records (Grid*Options in the `grid`
/// assembly), so that renaming a setting breaks the manifests' test rather than a deployment.
/// </summary>
public static class SettingNames
{
    private static readonly Assembly Silo = typeof(Grid.Silo.Hosting.GridOptions).Assembly;

    /// <summary>The records bound to section "Grid" itself: Grid*Options that no other one holds as a sub-section.</summary>
    public static IReadOnlyList<Type> Roots { get; } = FindRoots();

    /// <summary>Whether "Grid__A__B" (or Grid:A:B) names a bindable property path; the binder ignores case.</summary>
    public static bool Exists(string key)
    {
        var parts = key.Split(["__", ":"], StringSplitOptions.None);
        if (parts.Length < 2 || parts[0] != Grid.Silo.Hosting.GridOptions.Section) return false;
        return Roots.Any(root => Resolve(root, parts.AsSpan(1)));
    }

    private static bool Resolve(Type type, ReadOnlySpan<string> path)
    {
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || property.SetMethod is null) return false;
        if (path.Length == 1) return true;
        var element = property.PropertyType.IsArray ? property.PropertyType.GetElementType()! : property.PropertyType;
        // Grid:ApiKeys:0 style indices into arrays.
        if (property.PropertyType.IsArray && int.TryParse(path[1], out _)) return path.Length == 2 || Resolve(element, path[2..]);
        return Resolve(element, path[1..]);
    }

    private static List<Type> FindRoots()
    {
        var options = Silo.GetExportedTypes()
            .Where(t => t.Name.StartsWith("Grid", StringComparison.Ordinal) && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null)
            .ToList();
        var nested = options.SelectMany(t => t.GetProperties()).Select(p => p.PropertyType).ToHashSet();
        return options.Where(t => !nested.Contains(t)).ToList();
    }
}
