using System.Globalization;

namespace Grid.Engine.Models.Gguf;

/// <summary>
/// Typed reads of GGUF metadata that accept any integer or float width (writers differ: uint32,
/// int32, uint64 all occur) and name the key and file when a value is missing or of the wrong kind.
/// </summary>
internal static class GgufMetadata
{
    public static bool Has(this IReadOnlyDictionary<string, object> m, string key) => m.ContainsKey(key);

    public static long Integer(this IReadOnlyDictionary<string, object> m, string key, string source, long? fallback = null)
    {
        if (!m.TryGetValue(key, out var v))
            return fallback ?? throw Missing(key, source);
        return v switch
        {
            byte or sbyte or ushort or short or uint or int or long => Convert.ToInt64(v, CultureInfo.InvariantCulture),
            ulong u when u <= long.MaxValue => (long)u,
            _ => throw Wrong(key, source, v, "an integer"),
        };
    }

    public static int Int(this IReadOnlyDictionary<string, object> m, string key, string source, int? fallback = null)
    {
        var v = m.Integer(key, source, fallback);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Wrong(key, source, v, "a 32-bit integer");
    }

    public static float Float(this IReadOnlyDictionary<string, object> m, string key, string source, float? fallback = null)
    {
        if (!m.TryGetValue(key, out var v))
            return fallback ?? throw Missing(key, source);
        return v switch
        {
            float f => f,
            double d => (float)d,
            byte or sbyte or ushort or short or uint or int or long or ulong => Convert.ToSingle(v, CultureInfo.InvariantCulture),
            _ => throw Wrong(key, source, v, "a number"),
        };
    }

    public static bool Bool(this IReadOnlyDictionary<string, object> m, string key, string source, bool fallback) =>
        !m.TryGetValue(key, out var v) ? fallback : v as bool? ?? throw Wrong(key, source, v, "a bool");

    public static string String(this IReadOnlyDictionary<string, object> m, string key, string source, string? fallback = null) =>
        !m.TryGetValue(key, out var v) ? fallback ?? throw Missing(key, source)
            : v as string ?? throw Wrong(key, source, v, "a string");

    public static T[]? Array<T>(this IReadOnlyDictionary<string, object> m, string key, string source) =>
        !m.TryGetValue(key, out var v) ? null : v as T[] ?? throw Wrong(key, source, v, $"an array of {typeof(T).Name}");

    /// <summary>An integer array of any element width, as int.</summary>
    public static int[]? IntArray(this IReadOnlyDictionary<string, object> m, string key, string source)
    {
        if (!m.TryGetValue(key, out var v)) return null;
        return v switch
        {
            int[] a => a,
            uint[] a => System.Array.ConvertAll(a, x => (int)x),
            long[] a => System.Array.ConvertAll(a, x => (int)x),
            ulong[] a => System.Array.ConvertAll(a, x => (int)x),
            short[] a => System.Array.ConvertAll(a, x => (int)x),
            ushort[] a => System.Array.ConvertAll(a, x => (int)x),
            sbyte[] a => System.Array.ConvertAll(a, x => (int)x),
            byte[] a => System.Array.ConvertAll(a, x => (int)x),
            _ => throw Wrong(key, source, v, "an integer array"),
        };
    }

    private static InvalidDataException Missing(string key, string source) => new($"{source}: missing metadata key '{key}'");

    private static InvalidDataException Wrong(string key, string source, object value, string expected) =>
        new($"{source}: metadata key '{key}' is {value.GetType().Name} {value}, expected {expected}");
}
