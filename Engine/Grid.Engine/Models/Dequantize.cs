using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Grid.Engine.Models;

/// <summary>
/// Conversions of stored weights to F32. F16 goes through bit operations (sign-extend, shift,
/// mask, rescale by 2^112), several times faster here than the runtime's Half conversion.
/// </summary>
public static class Dequantize
{
    private const float HalfRebias = 5.192296858534828e33f; // 2^112: F16's exponent bias 15 -> F32's 127

    public static float Half(ushort h) =>
        BitConverter.Int32BitsToSingle(((short)h << 13) & unchecked((int)0x8FFFE000)) * HalfRebias;

    public static float BFloat(ushort b) => BitConverter.Int32BitsToSingle(b << 16);

    /// <summary>Sixteen F16 values to F32 (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Half16(Vector256<short> h)
    {
        var i = Avx512F.ConvertToVector512Int32(h);
        var bits = Avx512F.And(Avx512F.ShiftLeftLogical(i, 13), Vector512.Create(unchecked((int)0x8FFFE000)));
        return Avx512F.Multiply(bits.AsSingle(), Vector512.Create(HalfRebias));
    }

    /// <summary>Sixteen BF16 values to F32 (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> BFloat16(Vector256<short> b) =>
        Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(b), 16).AsSingle();

    /// <summary>Sixteen signed bytes to F32 (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Int8x16(Vector128<sbyte> q) =>
        Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(q));

    public static void Halves(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        var i = 0;
        if (Avx512F.IsSupported)
        {
            ref var s = ref Unsafe.As<ushort, short>(ref MemoryMarshal.GetReference(source));
            ref var d = ref MemoryMarshal.GetReference(destination);
            for (; i + 16 <= source.Length; i += 16)
                Half16(Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        else if (Avx2.IsSupported)
        {
            ref var s = ref Unsafe.As<ushort, short>(ref MemoryMarshal.GetReference(source));
            ref var d = ref MemoryMarshal.GetReference(destination);
            for (; i + 8 <= source.Length; i += 8)
            {
                var bits = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref s, (nuint)i)), 13)
                    & Vector256.Create(unchecked((int)0x8FFFE000));
                (bits.AsSingle() * Vector256.Create(HalfRebias)).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < source.Length; i++) destination[i] = Half(source[i]);
    }

    public static void BFloats(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        for (var i = 0; i < source.Length; i++) destination[i] = BFloat(source[i]);
    }

    /// <summary>One row of <paramref name="destination"/>.Length values stored as <paramref name="type"/>.</summary>
    public static void Row(TensorType type, ReadOnlySpan<byte> row, Span<float> destination)
    {
        switch (type)
        {
            case TensorType.F32:
                MemoryMarshal.Cast<byte, float>(row)[..destination.Length].CopyTo(destination);
                break;
            case TensorType.F16:
                Halves(MemoryMarshal.Cast<byte, ushort>(row)[..destination.Length], destination);
                break;
            case TensorType.BF16:
                BFloats(MemoryMarshal.Cast<byte, ushort>(row)[..destination.Length], destination);
                break;
            case TensorType.Q8_0:
                Q8Row(row, destination);
                break;
            default:
                throw new NotSupportedException($"tensor type {type} is not supported");
        }
    }

    private static void Q8Row(ReadOnlySpan<byte> row, Span<float> destination)
    {
        for (var b = 0; b * 32 < destination.Length; b++)
        {
            var block = row.Slice(b * 34, 34);
            var scale = Half(BinaryPrimitives.ReadUInt16LittleEndian(block));
            for (var j = 0; j < 32; j++) destination[b * 32 + j] = scale * (sbyte)block[2 + j];
        }
    }
}
