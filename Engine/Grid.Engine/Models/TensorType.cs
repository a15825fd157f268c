namespace Grid.Engine.Models;

/// <summary>Element types of weight tensors. Values are GGUF's ggml_type ids so files map straight onto them.</summary>
public enum TensorType
{
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
    BF16 = 30,
}

public static class TensorTypes
{
    /// <summary>Values per quantisation block (1 for plain types).</summary>
    public static int BlockValues(TensorType type) => type == TensorType.Q8_0 ? 32 : 1;

    /// <summary>Bytes per quantisation block: Q8_0 is an F16 scale followed by 32 signed bytes.</summary>
    public static int BlockBytes(TensorType type) => type switch
    {
        TensorType.F32 => 4,
        TensorType.F16 => 2,
        TensorType.BF16 => 2,
        TensorType.Q8_0 => 34,
        _ => throw new NotSupportedException($"tensor type {type} is not supported"),
    };

    public static bool IsSupported(int ggmlType) =>
        ggmlType is (int)TensorType.F32 or (int)TensorType.F16 or (int)TensorType.Q8_0 or (int)TensorType.BF16;

    /// <summary>Bytes of a row of <paramref name="values"/> values; throws when the row is not whole blocks.</summary>
    public static long RowBytes(TensorType type, long values)
    {
        var block = BlockValues(type);
        if (values % block != 0)
            throw new InvalidDataException($"a {type} row of {values} values is not a whole number of {block}-value blocks");
        return values / block * BlockBytes(type);
    }
}
