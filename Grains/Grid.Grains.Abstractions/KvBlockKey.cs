namespace Grid.Grains;

/// <summary>KV block grain keys: "model/hash" with the hash as 16 hex digits, so two models never share an entry.</summary>
public static class KvBlockKey
{
    public static string Of(string model, ulong hash) => $"{model}/{hash:x16}";
}
