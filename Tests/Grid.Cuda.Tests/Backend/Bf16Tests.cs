using Grid.Cuda.Backend;

namespace Grid.Cuda.Tests.Backend;

public sealed class Bf16Tests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    // 1 + 2^-8 lies halfway between 1 and the next bfloat16 (1 + 2^-7): ties go to the even one, 1.
    [InlineData(1.00390625f, 0x3F80)]
    // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: ties go to the even one, 1 + 2^-6.
    [InlineData(1.01171875f, 0x3F82)]
    public void Rounds_to_nearest_even(float value, int expected) => Bf16.FromFloat(value).Should().Be((ushort)expected);

    [Fact]
    public void NaN_stays_NaN() => float.IsNaN(Bf16.ToFloat(Bf16.FromFloat(float.NaN))).Should().BeTrue();

    [Fact]
    public void Round_trips_what_bfloat16_can_hold()
    {
        foreach (var v in new[] { 0f, 1f, -3.5f, 65280f, 0.5f, -0.0078125f }) Bf16.ToFloat(Bf16.FromFloat(v)).Should().Be(v);
    }
}
