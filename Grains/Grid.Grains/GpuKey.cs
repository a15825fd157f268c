namespace Grid.Grains;

/// <summary>GPU grain keys: "node/ordinal".</summary>
public static class GpuKey
{
    public static string Of(string node, int ordinal) => $"{node}/{ordinal}";

    public static string Node(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0) throw new ArgumentException($"GPU key '{key}' is not 'node/ordinal'");
        return key[..slash];
    }

    /// <summary>The device ordinal on its node: which CUDA device a GPU grain drives.</summary>
    public static int Ordinal(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash > 0 && int.TryParse(key.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"GPU key '{key}' is not 'node/ordinal'");
    }
}
