using Grid.Cuda.Backend;
using Grid.Engine.Models;

namespace Grid.Cuda.Tests.Backend;

public sealed class WeightStagingTests
{
    [Fact]
    public void Stacked_tensors_are_their_rows_one_after_another_in_bf16()
    {
        var a = Enumerable.Range(0, 6).Select(i => i * 0.37f - 1f).ToArray();
        var b = Enumerable.Range(0, 3).Select(i => i * -0.11f).ToArray();
        var ta = WeightTensor.Create("a", TensorType.F16, 2, 3, a, out var ba);
        var tb = WeightTensor.Create("b", TensorType.F32, 1, 3, b, out var bb);
        using (ba)
        using (bb)
        {
            var stacked = WeightStaging.StackBf16(ta, tb);
            var expected = new float[9];
            for (var r = 0; r < 2; r++) ta.DequantizeRow(r, expected.AsSpan(r * 3, 3));
            tb.DequantizeRow(0, expected.AsSpan(6, 3));
            stacked.Should().Equal(expected.Select(Bf16.FromFloat));
        }
    }

    [Fact]
    public void Tensors_of_different_row_lengths_do_not_stack()
    {
        var ta = WeightTensor.Create("a", TensorType.F32, 1, 3, new float[3], out var ba);
        var tb = WeightTensor.Create("b", TensorType.F32, 1, 4, new float[4], out var bb);
        using (ba)
        using (bb)
        {
            var act = () => WeightStaging.StackBf16(ta, tb);
            act.Should().Throw<ArgumentException>().WithMessage("*row length*");
        }
    }
}
