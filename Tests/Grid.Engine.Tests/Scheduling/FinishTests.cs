using Grid.Engine.Models;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;

namespace Grid.Engine.Tests.Scheduling;

/// <summary>How requests end: the context, max tokens, stop strings and stop tokens.</summary>
public sealed class FinishTests : IDisposable
{
    private static readonly ModelConfig Config = new() { Dim = 64, HiddenDim = 96, Layers = 1, Heads = 4, KvHeads = 2, VocabSize = 300, ContextLength = 64 };
    private readonly Model _model = RandomModel.Create(Config, TensorType.F32, seed: 2, std: 0.3f);

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Max_tokens_beyond_the_context_stops_at_the_context()
    {
        using var h = new EngineHarness(_model, blocks: 8);
        h.Engine.Add(new EngineRequest("r", [1, 5, 6], new SamplingOptions { Temperature = 0, MaxTokens = int.MaxValue, IgnoreEos = true }));
        h.Run([]);
        h.Tokens["r"].Should().HaveCount(Config.ContextLength - 3, "prompt and generation fill the context exactly");
        h.Finished["r"].Should().Be(FinishReason.Length);
    }

    [Fact]
    public void A_stop_string_ends_the_text_before_it()
    {
        var options = new SamplingOptions { Temperature = 1, Seed = 77, MaxTokens = 20, IgnoreEos = true };
        using var free = new EngineHarness(_model, blocks: 8);
        free.Run([(0, new EngineRequest("r", [1, 4], options))]);
        var text = free.Text["r"];
        text.Length.Should().BeGreaterThan(2);
        var stop = text.Substring(1, 2);

        using var stopped = new EngineHarness(_model, blocks: 8);
        stopped.Run([(0, new EngineRequest("r", [1, 4], options with { StopStrings = [stop] }))]);
        stopped.Text["r"].Should().Be(text[..text.IndexOf(stop, StringComparison.Ordinal)]);
        stopped.Finished["r"].Should().Be(FinishReason.Stop);
    }

    [Fact]
    public void A_stop_token_ends_the_request_and_adds_no_text()
    {
        var options = new SamplingOptions { Temperature = 0, MaxTokens = 20, IgnoreEos = true };
        using var free = new EngineHarness(_model, blocks: 8);
        free.Run([(0, new EngineRequest("r", [1, 4], options))]);
        var third = free.Tokens["r"][2];

        using var stopped = new EngineHarness(_model, blocks: 8);
        stopped.Run([(0, new EngineRequest("r", [1, 4], options with { StopTokenIds = [third] }))]);
        stopped.Tokens["r"].Should().Equal(free.Tokens["r"].Take(free.Tokens["r"].IndexOf(third) + 1));
        stopped.Finished["r"].Should().Be(FinishReason.Stop);
    }
}
