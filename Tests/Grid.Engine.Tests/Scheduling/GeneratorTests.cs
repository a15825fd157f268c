using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;

namespace Grid.Engine.Tests.Scheduling;

public sealed class GeneratorTests : IDisposable
{
    private static readonly ModelConfig Config = new() { Dim = 64, HiddenDim = 96, Layers = 1, Heads = 4, KvHeads = 2, VocabSize = 300, ContextLength = 64 };
    private readonly Model _model = RandomModel.Create(Config, TensorType.F32, seed: 2, std: 0.3f);
    private readonly CpuBackend _backend;
    private readonly Generator _generator;

    public GeneratorTests()
    {
        _backend = new CpuBackend(_model, new CpuBackendOptions { BlockCount = 4, BlockSize = 16, MaxBatchTokens = 8 });
        _generator = new Generator(_backend, _model.Tokenizer);
    }

    public void Dispose()
    {
        _backend.Dispose();
        _model.Dispose();
    }

    [Fact]
    public void Bad_requests_fail_before_anything_streams()
    {
        // Generate must throw at the call, not at the first MoveNext, so a server can answer with an error.
        FluentActions.Invoking(() => _generator.Generate([1, 2], new SamplingOptions { TopP = 0 })).Should().Throw<ArgumentException>().WithMessage("*top_p*");
        FluentActions.Invoking(() => _generator.Generate([], new SamplingOptions())).Should().Throw<ArgumentException>().WithMessage("*no tokens*");
        FluentActions.Invoking(() => _generator.Generate([1, 999], new SamplingOptions())).Should().Throw<ArgumentException>().WithMessage("*999*vocabulary*");
        FluentActions.Invoking(() => _generator.Generate(new int[64], new SamplingOptions())).Should().Throw<ArgumentException>().WithMessage("*64 tokens*context*");
    }

    [Fact]
    public void Max_tokens_beyond_the_context_stops_at_the_context()
    {
        var tokens = _generator.Generate([1, 5, 6], new SamplingOptions { Temperature = 0, MaxTokens = int.MaxValue, IgnoreEos = true }).ToList();
        tokens.Should().HaveCount(Config.ContextLength - 3, "prompt and generation fill the context exactly");
        tokens[^1].Finish.Should().Be(FinishReason.Length);
        _generator.LastStats!.GeneratedTokens.Should().Be(tokens.Count);
    }

    [Fact]
    public void A_long_prompt_enters_in_chunks_and_gives_the_same_tokens_as_one_pass()
    {
        var prompt = Enumerable.Range(0, 30).Select(i => 3 + (i * 7) % 290).ToArray();
        var options = new SamplingOptions { Temperature = 0, MaxTokens = 8, IgnoreEos = true };
        var chunked = _generator.Generate(prompt, options).Select(t => t.Id).ToList();
        using var wide = new CpuBackend(_model, new CpuBackendOptions { BlockCount = 4, BlockSize = 16, MaxBatchTokens = 64 });
        var single = new Generator(wide, _model.Tokenizer).Generate(prompt, options).Select(t => t.Id).ToList();
        chunked.Should().Equal(single);
    }

    [Fact]
    public void A_second_generation_at_once_is_refused_and_blocks_come_back_after_the_first()
    {
        var options = new SamplingOptions { Temperature = 0, MaxTokens = 5, IgnoreEos = true };
        using (var first = _generator.Generate([1, 2], options).GetEnumerator())
        {
            first.MoveNext().Should().BeTrue();
            FluentActions.Invoking(() => _generator.Generate([1, 2], options).ToList()).Should().Throw<InvalidOperationException>();
        }
        _generator.Generate([1, 2], options).Should().HaveCount(5);
    }

    [Fact]
    public void Same_seed_same_tokens_and_stop_strings_end_the_text()
    {
        var options = new SamplingOptions { Temperature = 1, Seed = 77, MaxTokens = 20, IgnoreEos = true };
        var a = _generator.Generate([1, 4], options).Select(t => t.Id).ToList();
        var b = _generator.Generate([1, 4], options).Select(t => t.Id).ToList();
        a.Should().Equal(b);

        var text = string.Concat(_generator.Generate([1, 4], options).Select(t => t.Text));
        text.Length.Should().BeGreaterThan(2);
        var stop = text.Substring(1, 2);
        var stopped = _generator.Generate([1, 4], options with { StopStrings = [stop] }).ToList();
        string.Concat(stopped.Select(t => t.Text)).Should().Be(text[..text.IndexOf(stop, StringComparison.Ordinal)]);
        stopped[^1].Finish.Should().Be(FinishReason.Stop);
    }
}
