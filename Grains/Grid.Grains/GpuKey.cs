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
}
