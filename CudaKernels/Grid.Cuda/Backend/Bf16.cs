namespace Grid.Cuda.Backend;

/// <summary>bfloat16 on the host, bit for bit as the kernels convert: round to nearest even, NaN kept a (quiet) NaN.</summary>
public static class Bf16
{
    public static ushort FromFloat(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    public static float ToFloat(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    public static void FromFloats(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException($"destination holds {destination.Length} values for {source.Length}");
        for (var i = 0; i < source.Length; i++) destination[i] = FromFloat(source[i]);
    }
}
