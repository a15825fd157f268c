using System.Runtime.InteropServices;
using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// A weight matrix repacked once at load into panels of <see cref="Panel"/> outputs: within a panel,
/// the 32 weights of input k lie together, so a kernel streams each panel front to back (the order
/// the hardware prefetcher likes) and vectorises over outputs with no horizontal sums. Several
/// tensors with the same input width can be stacked into one matrix (Q, K and V; gate and up) so
/// one pass computes them all. F16 and BF16 stay 16-bit; Q8_0 keeps its 32-value blocks, each
/// block of a panel as 32 F32 scales followed by [k][output] signed bytes.
/// </summary>
public sealed unsafe class PackedMatrix : IDisposable
{
    public const int Panel = 32;
    private readonly NativeBuffer _buffer;

    public PackedMatrix(params WeightTensor[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("no tensors to pack", nameof(parts));
        Type = parts[0].Type;
        Cols = parts[0].Cols;
        foreach (var p in parts)
        {
            if (p.Type != Type || p.Cols != Cols)
                throw new ArgumentException($"tensor '{p.Name}' ({p.Type}, {p.Cols} inputs) cannot be stacked with '{parts[0].Name}' ({Type}, {Cols} inputs)");
        }
        Rows = parts.Sum(p => p.Rows);
        Panels = (Rows + Panel - 1) / Panel;
        PanelBytes = Type switch
        {
            TensorType.F32 => (long)Cols * Panel * 4,
            TensorType.F16 or TensorType.BF16 => (long)Cols * Panel * 2,
            TensorType.Q8_0 => (long)(Cols / 32) * (Panel * 4 + Panel * 32),
            _ => throw new NotSupportedException($"tensor type {Type} is not supported"),
        };
        _buffer = new NativeBuffer(PanelBytes * Panels);

        var rowOf = new (WeightTensor Tensor, int Row)[Rows];
        var r = 0;
        foreach (var p in parts)
            for (var i = 0; i < p.Rows; i++) rowOf[r++] = (p, i);
        Parallel.For(0, Panels, panel => Pack(panel, rowOf));
    }

    public TensorType Type { get; }

    /// <summary>Outputs (stacked rows of all parts).</summary>
    public int Rows { get; }

    /// <summary>Inputs.</summary>
    public int Cols { get; }
    public int Panels { get; }
    public long PanelBytes { get; }

    public byte* PanelPointer(int panel) => (byte*)_buffer.Pointer + panel * PanelBytes;

    /// <summary>Bytes a pass over the whole matrix reads.</summary>
    public long Bytes => PanelBytes * Panels;

    private void Pack(int panel, (WeightTensor Tensor, int Row)[] rowOf)
    {
        var dst = PanelPointer(panel);
        var rows = Math.Min(Panel, Rows - panel * Panel);
        for (var j = 0; j < rows; j++)
        {
            var (tensor, row) = rowOf[panel * Panel + j];
            var src = tensor.Row(row);
            switch (Type)
            {
                case TensorType.F32:
                    var f = MemoryMarshal.Cast<byte, float>(src);
                    for (var k = 0; k < Cols; k++) ((float*)dst)[k * Panel + j] = f[k];
                    break;
                case TensorType.F16:
                case TensorType.BF16:
                    var h = MemoryMarshal.Cast<byte, ushort>(src);
                    for (var k = 0; k < Cols; k++) ((ushort*)dst)[k * Panel + j] = h[k];
                    break;
                case TensorType.Q8_0:
                    const int blockBytes = Panel * 4 + Panel * 32;
                    for (var b = 0; b < Cols / 32; b++)
                    {
                        var block = src.Slice(b * 34, 34);
                        var blockDst = dst + b * blockBytes;
                        ((float*)blockDst)[j] = Dequantize.Half(MemoryMarshal.Read<ushort>(block));
                        var q = (sbyte*)(blockDst + Panel * 4);
                        for (var k = 0; k < 32; k++) q[k * Panel + j] = (sbyte)block[2 + k];
                    }
                    break;
            }
        }
    }

    public void Dispose() => _buffer.Dispose();
}
