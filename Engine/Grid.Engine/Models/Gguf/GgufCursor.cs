using System.Buffers.Binary;
using System.Text;

namespace Grid.Engine.Models.Gguf;

/// <summary>
/// Reads GGUF's little-endian values from a mapped file, checking every read against the file's
/// end so a corrupt length fails with a message instead of reading past the map.
/// </summary>
internal sealed unsafe class GgufCursor(MappedFile file)
{
    public long Position { get; set; }
    public long Remaining => file.Length - Position;

    /// <summary>What is being read, for messages ("header", "metadata key 'x'", ...).</summary>
    public string Context { get; set; } = "header";

    public InvalidDataException Error(string what) => new($"{file.Path}: {what}");

    private const int MaxArrayDepth = 8;
    private int _depth;

    private ReadOnlySpan<byte> Take(long count)
    {
        if (count > int.MaxValue) throw Error($"a {count}-byte value in {Context} is larger than this reader takes");
        if (count > Remaining)
            throw Error($"truncated {Context}: needs {count} bytes at offset {Position}, the file has {Remaining} left");
        var span = file.Span(Position, (int)count);
        Position += count;
        return span;
    }

    public byte U8() => Take(1)[0];
    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public float F32() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    public double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public string String()
    {
        var at = Position;
        var length = U64();
        if (length > (ulong)Remaining)
            throw Error($"string length {length} at offset {at} in {Context} goes beyond the end of the file ({file.Length} bytes)");
        return Encoding.UTF8.GetString(Take((long)length));
    }

    /// <summary>A count of items each at least <paramref name="minBytes"/> long, checked against the bytes left.</summary>
    public long Count(string what, long minBytes)
    {
        var at = Position;
        var count = U64();
        if (count > (ulong)(Remaining / Math.Max(minBytes, 1)))
            throw Error($"{what} {count} at offset {at} in {Context} cannot fit in the {Remaining} bytes left in the file");
        if (count > (ulong)System.Array.MaxLength)
            throw Error($"{what} {count} at offset {at} in {Context} is more than an array can hold");
        return (long)count;
    }

    public object Value(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => U8(),
        GgufValueType.Int8 => (sbyte)U8(),
        GgufValueType.UInt16 => U16(),
        GgufValueType.Int16 => (short)U16(),
        GgufValueType.UInt32 => U32(),
        GgufValueType.Int32 => (int)U32(),
        GgufValueType.Float32 => F32(),
        GgufValueType.Bool => U8() != 0,
        GgufValueType.String => String(),
        GgufValueType.UInt64 => U64(),
        GgufValueType.Int64 => (long)U64(),
        GgufValueType.Float64 => F64(),
        GgufValueType.Array => Array(),
        _ => throw Error($"unknown metadata value type {(uint)type} in {Context}"),
    };

    private Array Array()
    {
        // Each nesting level costs the file only 12 bytes: without a limit a small file could exhaust the stack.
        if (++_depth > MaxArrayDepth) throw Error($"arrays nested more than {MaxArrayDepth} deep in {Context}");
        try { return Elements(); }
        finally { _depth--; }
    }

    private Array Elements()
    {
        var elementType = (GgufValueType)U32();
        var count = Count("array length", ElementBytes(elementType));
        return elementType switch
        {
            GgufValueType.UInt8 => Fill(count, U8),
            GgufValueType.Int8 => Fill(count, () => (sbyte)U8()),
            GgufValueType.UInt16 => Fill(count, U16),
            GgufValueType.Int16 => Fill(count, () => (short)U16()),
            GgufValueType.UInt32 => Fill(count, U32),
            GgufValueType.Int32 => Fill(count, () => (int)U32()),
            GgufValueType.Float32 => Fill(count, F32),
            GgufValueType.Bool => Fill(count, () => U8() != 0),
            GgufValueType.String => Fill(count, String),
            GgufValueType.UInt64 => Fill(count, U64),
            GgufValueType.Int64 => Fill(count, () => (long)U64()),
            GgufValueType.Float64 => Fill(count, F64),
            GgufValueType.Array => Fill(count, () => (object)Array()),
            _ => throw Error($"unknown array element type {(uint)elementType} in {Context}"),
        };
    }

    private static T[] Fill<T>(long count, Func<T> read)
    {
        var result = new T[count];
        for (var i = 0; i < result.Length; i++) result[i] = read();
        return result;
    }

    private static long ElementBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.Array => 12,
        _ => 8,
    };
}
