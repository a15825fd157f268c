using Grid.Engine.Sampling;

namespace Grid.Engine.Tests.Sampling;

public class SamplingOptionsTests
{
    public static TheoryData<SamplingOptions, string> Bad => new()
    {
        { new SamplingOptions { Temperature = -0.1f }, "temperature must be >= 0" },
        { new SamplingOptions { Temperature = float.NaN }, "temperature must be >= 0" },
        { new SamplingOptions { TopK = -1 }, "top_k must be >= 0" },
        { new SamplingOptions { TopP = 0f }, "top_p must be in (0, 1]" },
        { new SamplingOptions { TopP = 1.5f }, "top_p must be in (0, 1]" },
        { new SamplingOptions { MinP = -0.5f }, "min_p must be in [0, 1]" },
        { new SamplingOptions { RepetitionPenalty = 0f }, "repetition_penalty must be > 0" },
        { new SamplingOptions { PresencePenalty = 2.5f }, "presence_penalty must be in [-2, 2]" },
        { new SamplingOptions { FrequencyPenalty = -3f }, "frequency_penalty must be in [-2, 2]" },
        { new SamplingOptions { MaxTokens = 0 }, "max_tokens must be >= 1" },
        { new SamplingOptions { StopTokenIds = [-1] }, "stop_token_ids" },
        { new SamplingOptions { StopStrings = ["ok", ""] }, "stop strings must not be empty" },
        { new SamplingOptions { LogProbs = 21 }, "logprobs must be in [0, 20]" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Validate_names_the_bad_option(SamplingOptions o, string message) =>
        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>().WithMessage($"*{message}*");

    [Fact]
    public void Defaults_are_valid_and_as_documented()
    {
        var o = new SamplingOptions();
        o.Validate();
        (o.Temperature, o.TopK, o.TopP, o.MinP, o.RepetitionPenalty, o.PresencePenalty, o.FrequencyPenalty)
            .Should().Be((1f, 0, 1f, 0f, 1f, 0f, 0f));
        (o.Seed, o.MaxTokens, o.IgnoreEos, o.LogProbs).Should().Be(((ulong?)null, 256, false, 0));
        o.StopTokenIds.Should().BeEmpty();
        o.StopStrings.Should().BeEmpty();
        new SamplingOptions { Temperature = 0f, TopP = 1f, MinP = 1f, LogProbs = 20 }.Validate();
    }

    [Fact]
    public void A_given_seed_is_kept()
    {
        new SamplingOptions { Seed = 7 }.SeedOrRandom().Should().Be(7);
    }
}
