using Microsoft.Extensions.AI;

namespace Grid.Client.Tests;

public sealed class ChatMappingTests
{
    [Fact]
    public void Chat_options_become_the_grids_generation_options()
    {
        var o = new ChatOptions
        {
            Temperature = 0.5f, TopP = 0.9f, TopK = 40, MaxOutputTokens = 77, FrequencyPenalty = 0.25f, PresencePenalty = 0.5f,
            Seed = -1, StopSequences = ["\n\n"],
            AdditionalProperties = new AdditionalPropertiesDictionary { ["min_p"] = 0.05, ["repetition_penalty"] = 1.1f, ["ignore_eos"] = true },
        };
        var g = ChatMapping.Options(o);
        g.Should().BeEquivalentTo(new GenerationOptions
        {
            Temperature = 0.5f, TopP = 0.9f, TopK = 40, MaxTokens = 77, FrequencyPenalty = 0.25f, PresencePenalty = 0.5f,
            Seed = ulong.MaxValue, StopStrings = ["\n\n"], MinP = 0.05f, RepetitionPenalty = 1.1f, IgnoreEos = true,
        });
    }

    [Fact]
    public void No_options_means_the_grids_defaults() => ChatMapping.Options(null).Should().BeEquivalentTo(new GenerationOptions());

    [Fact]
    public void Instructions_come_first_as_the_system_turn()
    {
        var prompt = ChatMapping.Prompt([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Instructions = "Be brief." });
        prompt.Messages.Should().Equal(new ChatTurn("system", "Be brief."), new ChatTurn("user", "Hi"));
    }

    [Fact]
    public void A_non_numeric_sampling_property_is_refused_by_name()
    {
        var act = () => ChatMapping.Options(new ChatOptions { AdditionalProperties = new AdditionalPropertiesDictionary { ["min_p"] = "lots" } });
        act.Should().Throw<ArgumentException>().WithMessage("*min_p*");
    }
}
