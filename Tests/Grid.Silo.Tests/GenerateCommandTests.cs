using System.Text.Json;
using Grid.Silo.Cli;

namespace Grid.Silo.Tests;

public sealed class GenerateCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = GenerateCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string? StoriesDirForTests() => StoriesDir();

    private static string? StoriesDir()
    {
        var env = Environment.GetEnvironmentVariable("GRID_MODELS_DIR");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "stories260K");
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Grid.sln")))
                return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "models", "stories260K"));
        return null;
    }

    private static string Stories(string file)
    {
        var dir = StoriesDir();
        var path = dir is null ? null : Path.Combine(dir, file);
        Skip.If(path is null || !File.Exists(path), "reference models not found: set GRID_MODELS_DIR or place them in ../shared/models beside the checkout");
        return path!;
    }

    [SkippableFact]
    public void Greedy_generation_streams_the_reference_story()
    {
        var (code, output, err) = Run("--model", Stories("stories260K-f32.gguf"), "--prompt", "Once upon a time", "--temperature", "0", "--max-tokens", "64", "--ignore-eos");
        code.Should().Be(0);
        output.TrimEnd('\n').Should().Be("Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said");
        err.Should().MatchRegex(@"prompt: 5 tokens at [\d.]+ tokens/s; generation: 64 tokens at [\d.]+ tokens/s; finish: length");
    }

    [SkippableFact]
    public void Json_mode_prints_one_object_per_token_and_a_summary()
    {
        var (code, output, _) = Run("--model", Stories("stories260K.bin"), "--json", "--max-tokens", "5", "--seed", "9", "--logprobs", "2");
        code.Should().Be(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Should().HaveCount(6);
        foreach (var token in lines.Take(5))
        {
            token.GetProperty("id").GetInt32().Should().BeInRange(0, 511);
            token.GetProperty("top_logprobs").GetArrayLength().Should().Be(2);
        }
        lines[5].GetProperty("generated_tokens").GetInt32().Should().Be(5);
        lines[5].GetProperty("finish_reason").GetString().Should().Be("length");
    }

    [Fact]
    public void Without_a_model_the_demo_model_runs_and_says_its_text_is_noise()
    {
        var (code, _, err) = Run("--prompt", "Hi", "--max-tokens", "4", "--seed", "1");
        code.Should().Be(0);
        err.Should().Contain("random weights").And.Contain("--model");
    }

    [Theory]
    [InlineData("--top-p", "3", "top_p")]
    [InlineData("--temperature", "hot", "--temperature")]
    [InlineData("--bogus", "1", "--bogus")]
    public void Bad_options_are_named(string option, string value, string named)
    {
        var act = () => Run(option, value);
        act.Should().Throw<Exception>().Where(e => e.Message.Contains(named));
    }

    [Fact]
    public void A_missing_model_file_is_named()
    {
        var act = () => Run("--model", "no/such/model.gguf");
        act.Should().Throw<FileNotFoundException>().Where(e => e.Message.Contains("no/such/model.gguf"));
    }
}
