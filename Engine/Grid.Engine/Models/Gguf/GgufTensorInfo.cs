namespace Grid.Engine.Models.Gguf;

/// <summary>
/// A tensor's entry in a GGUF file: dimensions in GGUF order (Dims[0] = ne0, the contiguous one),
/// ggml type id, and the offset of its data from the start of the data section.
/// </summary>
public sealed record GgufTensorInfo(string Name, int TypeId, long[] Dims, long Offset)
{
    public TensorType Type => (TensorType)TypeId;

    /// <summary>Values in one row (ne0).</summary>
    public long Cols => Dims.Length == 0 ? 1 : Dims[0];

    /// <summary>Rows: the product of every dimension after the first.</summary>
    public long Rows => Dims.Skip(1).Aggregate(1L, (a, b) => checked(a * b));
}
