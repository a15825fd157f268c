using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Grid.Engine.Models;

/// <summary>
/// F32 to stored types, rounding as llama.cpp does: F16 and BF16 to nearest even, Q8_0 blocks of 32
/// with d = max|x| / 127, q = round(x / d) (half away from zero), d stored as F16.
/// </summary>
public static class Quantize
{
    public static ushort ToHalf(float x) => BitConverter.HalfToUInt16Bits((Half)x);

    public static ushort ToBFloat(float x)
    {
        var u = BitConverter.SingleToUInt32Bits(x);
        if ((u & 0x7FFFFFFF) > 0x7F800000) return (ushort)((u >> 16) | 64); // NaN stays a quiet NaN
        return (ushort)((u + (0x7FFF + ((u >> 16) & 1))) >> 16);
    }

    /// <summary>Encodes one row; <paramref name="destination"/> is the row's bytes in <paramref name="type"/>.</summary>
    public static void Row(TensorType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        switch (type)
        {
            case TensorType.F32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case TensorType.F16:
                for (var i = 0; i < source.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], ToHalf(source[i]));
                break;
            case TensorType.BF16:
                for (var i = 0; i < source.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], ToBFloat(source[i]));
                break;
            case TensorType.Q8_0:
                Q8Row(source, destination);
                break;
            default:
                throw new NotSupportedException($"tensor type {type} is not supported");
        }
    }

    private static void Q8Row(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (source.Length % 32 != 0)
            throw new InvalidDataException($"a Q8_0 row of {source.Length} values is not a whole number of 32-value blocks");
        for (var b = 0; b * 32 < source.Length; b++)
        {
            var x = source.Slice(b * 32, 32);
            var block = destination.Slice(b * 34, 34);
            var amax = 0f;
            foreach (var v in x) amax = MathF.Max(amax, MathF.Abs(v));
            var d = amax / 127f;
            var id = d != 0 ? 1f / d : 0f;
            BinaryPrimitives.WriteUInt16LittleEndian(block, ToHalf(d));
            for (var j = 0; j < 32; j++) block[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }
}
