namespace Grid.Engine.Models;

/// <summary>
/// A weight tensor's bytes in native memory (a mapped file or a buffer the model owns).
/// A matrix has <see cref="Rows"/> outputs of <see cref="Cols"/> inputs each, row-major, as GGUF
/// stores it (ne0 = Cols, ne1 = Rows); a vector has one row.
/// </summary>
public sealed unsafe class WeightTensor
{
    public WeightTensor(string name, TensorType type, int rows, int cols, nint data)
    {
        Name = name;
        Type = type;
        Rows = rows;
        Cols = cols;
        Data = data;
        RowBytes = TensorTypes.RowBytes(type, cols);
    }

    /// <summary>
    /// A tensor of <paramref name="values"/> (rows x cols, row-major) stored as <paramref name="type"/> in a
    /// new buffer, which the caller owns and must keep alive as long as the tensor.
    /// </summary>
    public static WeightTensor Create(string name, TensorType type, int rows, int cols, ReadOnlySpan<float> values, out NativeBuffer buffer)
    {
        if (values.Length != (long)rows * cols)
            throw new ArgumentException($"tensor '{name}': {values.Length} values for a [{rows} x {cols}] shape", nameof(values));
        var rowBytes = TensorTypes.RowBytes(type, cols);
        buffer = new NativeBuffer(rowBytes * rows);
        for (var r = 0; r < rows; r++)
            Quantize.Row(type, values.Slice(r * cols, cols), new Span<byte>((byte*)buffer.Pointer + r * rowBytes, (int)rowBytes));
        return new WeightTensor(name, type, rows, cols, buffer.Pointer);
    }

    public string Name { get; }
    public TensorType Type { get; }
    public int Rows { get; }
    public int Cols { get; }
    public nint Data { get; }
    public long RowBytes { get; }
    public long ByteLength => RowBytes * Rows;

    public ReadOnlySpan<byte> Row(int row) => new((byte*)Data + row * RowBytes, checked((int)RowBytes));

    /// <summary>Row <paramref name="row"/> as floats, whatever the storage type.</summary>
    public void DequantizeRow(int row, Span<float> destination) =>
        Dequantize.Row(Type, Row(row), destination[..Cols]);

    /// <summary>The whole tensor as floats (tests and loaders; never on a hot path).</summary>
    public float[] ToFloat()
    {
        var result = new float[(long)Rows * Cols];
        for (var r = 0; r < Rows; r++) DequantizeRow(r, result.AsSpan(r * Cols, Cols));
        return result;
    }
}
