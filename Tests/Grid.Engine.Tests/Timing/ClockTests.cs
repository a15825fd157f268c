using Grid.Engine.Timing;

namespace Grid.Engine.Tests.Timing;

public sealed class ClockTests
{
    [Fact]
    public void A_virtual_clock_starts_at_zero_and_moves_only_when_advanced()
    {
        var clock = new VirtualClock();
        clock.Now.Should().Be(TimeSpan.Zero);

        clock.Advance(TimeSpan.FromMilliseconds(7));
        clock.Advance(new TimeSpan(3));

        clock.Now.Should().Be(TimeSpan.FromMilliseconds(7) + new TimeSpan(3));
    }

    [Fact]
    public void A_virtual_clock_sums_advances_from_many_threads_exactly()
    {
        var clock = new VirtualClock(TimeSpan.FromSeconds(1));

        Parallel.For(0, 10_000, _ => clock.Advance(new TimeSpan(1)));

        clock.Now.Should().Be(TimeSpan.FromSeconds(1) + new TimeSpan(10_000));
    }

    [Fact]
    public void Time_does_not_run_backwards()
    {
        var act = () => new VirtualClock().Advance(new TimeSpan(-1));
        act.Should().Throw<ArgumentOutOfRangeException>();
        var real = () => new RealClock().Advance(new TimeSpan(-1));
        real.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_real_clock_at_scale_zero_does_not_wait()
    {
        var clock = new RealClock(scale: 0);

        // Would take an hour at scale 1; returns at once, so the test ends.
        clock.Advance(TimeSpan.FromHours(1));

        clock.Scale.Should().Be(0);
    }

    [Fact]
    public void A_real_clock_waits_at_least_the_scaled_duration()
    {
        var clock = new RealClock(scale: 0.5);
        var before = clock.Now;

        clock.Advance(TimeSpan.FromMilliseconds(4));

        (clock.Now - before).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(2));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_real_clock_refuses_a_bad_scale(double scale)
    {
        var act = () => new RealClock(scale);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
