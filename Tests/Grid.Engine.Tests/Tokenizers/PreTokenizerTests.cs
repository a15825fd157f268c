using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Tests.Tokenizers;

public class PreTokenizerTests
{
    [Theory]
    [InlineData("qwen2", new[] { "abc", " ", "1", "2", "3", "4", "5" })]
    [InlineData("llama-bpe", new[] { "abc", " ", "123", "45" })]
    [InlineData("llama3", new[] { "abc", " ", "123", "45" })]
    [InlineData("gpt2", new[] { "abc", " 12345" })]
    [InlineData("something-new", new[] { "abc", " 12345" })]
    public void Digits_split_as_each_pre_tokenizer_says(string pre, string[] expected) =>
        PreTokenizer.Split("abc 12345", pre).Should().Equal(expected);

    [Fact]
    public void Qwen2_contractions_ignore_case_and_gpt2_ones_do_not()
    {
        PreTokenizer.Split("I'LL go", "qwen2").Should().Equal("I", "'LL", " go");
        PreTokenizer.Split("I'LL go", "gpt2").Should().Equal("I", "'", "LL", " go");
    }

    [Fact]
    public void Newlines_and_trailing_spaces_split_like_the_reference()
    {
        // "\s+(?!\S)" leaves the last space of a run to prefix the next word.
        PreTokenizer.Split("a   b\n\nc", "qwen2").Should().Equal("a", "  ", " b", "\n\n", "c");
    }

    [Fact]
    public void An_emoji_prefixes_the_following_word_as_one_code_point()
    {
        PreTokenizer.Split("🎉Hi there", "qwen2").Should().Equal("🎉Hi", " there");
        PreTokenizer.Split("🎉Hi there", "gpt2").Should().Equal("🎉", "Hi", " there");
    }
}
