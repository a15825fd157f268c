using Grid.Engine.Sampling;

namespace Grid.Engine.Tests.Sampling;

public class LogitPenaltiesTests
{
    private static float[] Apply(SamplingOptions o, int[] prompt, int[] generated)
    {
        float[] logits = [2f, -2f, 1f, 0.5f, -1f];
        new LogitPenalties(logits.Length).Apply(logits, o, prompt, generated);
        return logits;
    }

    [Fact]
    public void Repetition_divides_positive_and_multiplies_negative_logits_once_per_seen_token()
    {
        // Seen in prompt + output: 0 (2 -> 1), 1 (-2 -> -4), 2 (1 -> 0.5); 3 and 4 untouched.
        Apply(new SamplingOptions { RepetitionPenalty = 2f }, [0, 1, 0], [2, 2, 1])
            .Should().Equal(1f, -4f, 0.5f, 0.5f, -1f);
    }

    [Fact]
    public void Presence_and_frequency_count_generated_tokens_only()
    {
        // Generated: 2 twice (-(2*0.25 + 0.5) = -1), 1 once (-(0.25 + 0.5) = -0.75); prompt token 0 untouched.
        Apply(new SamplingOptions { PresencePenalty = 0.5f, FrequencyPenalty = 0.25f }, [0, 0], [2, 1, 2])
            .Should().Equal(2f, -2.75f, 0f, 0.5f, -1f);
    }

    [Fact]
    public void Repetition_comes_before_presence_and_frequency()
    {
        Apply(new SamplingOptions { RepetitionPenalty = 2f, PresencePenalty = 0.5f, FrequencyPenalty = 0.25f }, [0, 1], [2, 2, 1])
            .Should().Equal(1f, -4.75f, -0.5f, 0.5f, -1f);
    }

    [Fact]
    public void Repeated_calls_start_from_a_clean_slate()
    {
        var penalties = new LogitPenalties(3);
        var o = new SamplingOptions { RepetitionPenalty = 2f, FrequencyPenalty = 1f };
        float[] first = [4f, 4f, 4f];
        penalties.Apply(first, o, [0], [1, 1]);
        first.Should().Equal(2f, 0f, 4f);
        float[] second = [4f, 4f, 4f];
        penalties.Apply(second, o, [], [2]);
        second.Should().Equal(4f, 4f, 1f);
    }

    [Fact]
    public void Defaults_leave_logits_alone()
    {
        Apply(new SamplingOptions(), [0, 1, 2], [3, 4, 4]).Should().Equal(2f, -2f, 1f, 0.5f, -1f);
    }
}
