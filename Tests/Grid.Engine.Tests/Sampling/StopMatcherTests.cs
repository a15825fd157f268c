using Grid.Engine.Sampling;

namespace Grid.Engine.Tests.Sampling;

public class StopMatcherTests
{
    [Fact]
    public void Passes_text_through_without_stop_strings()
    {
        var m = new StopMatcher([]);
        m.Append("hello").Should().Be(new StopMatchResult("hello", false));
        m.Flush().Should().BeEmpty();
    }

    [Fact]
    public void Holds_back_a_possible_start_and_stops_across_chunks()
    {
        var m = new StopMatcher(["</answer>"]);
        m.Append("The result </an").Should().Be(new StopMatchResult("The result ", false));
        m.Append("swer> trailing").Should().Be(new StopMatchResult("", true));
        m.Append("more").Should().Be(new StopMatchResult("", true));
        m.Flush().Should().BeEmpty();
        m.Stopped.Should().BeTrue();
    }

    [Fact]
    public void Releases_held_text_once_it_cannot_become_a_stop()
    {
        var m = new StopMatcher(["STOP"]);
        m.Append("a ST").Should().Be(new StopMatchResult("a ", false));
        m.Append("ORY").Should().Be(new StopMatchResult("STORY", false));
        m.Append("x S").Should().Be(new StopMatchResult("x ", false));
        m.Flush().Should().Be("S");
    }

    [Fact]
    public void Overlapping_prefixes_hold_the_longest_possible_start()
    {
        // "aab" in "aaab": after "aa" both a's may start it; after "aaa" only the last two can.
        var m = new StopMatcher(["aab"]);
        m.Append("aa").Should().Be(new StopMatchResult("", false));
        m.Append("a").Should().Be(new StopMatchResult("a", false));
        m.Append("bc").Should().Be(new StopMatchResult("", true));
    }

    [Fact]
    public void The_stop_that_completes_first_wins_however_the_text_is_chunked()
    {
        string[] stops = ["abcdef", "cd", "xyz"];
        var whole = new StopMatcher(stops).Append("zzabcdefg");
        whole.Should().Be(new StopMatchResult("zzab", true));

        var byChar = new StopMatcher(stops);
        var emitted = "";
        foreach (var c in "zzabcdefg")
        {
            var r = byChar.Append(c.ToString());
            emitted += r.Text;
            if (r.Stopped) break;
        }
        emitted.Should().Be("zzab");
    }

    [Fact]
    public void Among_stops_ending_together_the_longer_one_wins()
    {
        new StopMatcher(["b", "ab"]).Append("xab").Should().Be(new StopMatchResult("x", true));
    }

    [Fact]
    public void Empty_stop_strings_are_rejected()
    {
        var act = () => new StopMatcher(["x", ""]);
        act.Should().Throw<ArgumentException>();
    }
}
