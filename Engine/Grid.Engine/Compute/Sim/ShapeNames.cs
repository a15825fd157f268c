namespace Grid.Engine.Compute.Sim;

/// <summary>Name matching for the GPU and model tables: "H100 SXM", "h100-sxm" and "H100_SXM" are one name.</summary>
internal static class ShapeNames
{
    public static string Normalize(string name)
    {
        Span<char> buffer = stackalloc char[name.Length];
        var n = 0;
        foreach (var c in name)
            if (c is not ('-' or '_' or ' ' or '.')) buffer[n++] = char.ToLowerInvariant(c);
        return new string(buffer[..n]);
    }

    public static T Find<T>(IReadOnlyDictionary<string, T> byNormalizedName, IEnumerable<string> known, string what, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (byNormalizedName.TryGetValue(Normalize(name), out var found)) return found;
        throw new ArgumentException($"unknown {what} '{name}'; known: {string.Join(", ", known)}", nameof(name));
    }
}
