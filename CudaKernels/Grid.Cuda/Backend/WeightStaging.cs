using Grid.Engine.Models;

namespace Grid.Cuda.Backend;

/// <summary>
/// Turns the model's host tensors (F32, F16, BF16 or Q8_0) into the BF16 rows the GPU holds, stacking
/// tensors that one GEMM reads together (Q, K and V; gate and up) row after row.
/// </summary>
public static class WeightStaging
{
    /// <summary>Rows of all <paramref name="tensors"/> one after another, as BF16.</summary>
    public static ushort[] StackBf16(params WeightTensor[] tensors)
    {
        var cols = tensors[0].Cols;
        if (tensors.Any(t => t.Cols != cols))
            throw new ArgumentException($"stacked tensors must share a row length: {string.Join(", ", tensors.Select(t => $"{t.Name} [{t.Rows} x {t.Cols}]"))}");
        var result = new ushort[checked(tensors.Sum(t => (long)t.Rows) * cols)];
        var row = new float[cols];
        var offset = 0L;
        foreach (var t in tensors)
        {
            for (var r = 0; r < t.Rows; r++, offset += cols)
            {
                t.DequantizeRow(r, row);
                Bf16.FromFloats(row, result.AsSpan((int)offset, cols));
            }
        }
        return result;
    }

    /// <summary>A one-row tensor (norm weights, biases) as F32.</summary>
    public static float[] Vector(WeightTensor t)
    {
        var values = new float[checked(t.Rows * t.Cols)];
        for (var r = 0; r < t.Rows; r++) t.DequantizeRow(r, values.AsSpan(r * t.Cols, t.Cols));
        return values;
    }
}
