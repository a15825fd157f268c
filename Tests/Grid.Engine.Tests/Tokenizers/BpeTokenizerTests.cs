using Grid.Engine.Models.Tokenizers;
using static Grid.Engine.Tests.Tokenizers.TinyBpeVocab;

namespace Grid.Engine.Tests.Tokenizers;

public class BpeTokenizerTests
{
    private const int Space = 10 + 0x20, Newline = 10 + 0x0A;
    private readonly BpeTokenizer _tok = Create();

    [Fact]
    public void Merges_apply_by_rank_not_by_position()
    {
        // "abc": pairs (a,b) rank 11 and (b,c) rank 10; the lower rank wins although it comes second.
        _tok.Encode("abc", addBos: false).Should().Equal(Id('a'), 275);
        _tok.Encode("ab", addBos: false).Should().Equal(276);
    }

    [Fact]
    public void Builds_words_through_chains_of_merges_and_keeps_the_space_in_the_next_word()
    {
        // hello: ll(0), he(1), hell(2), hello(3). " world": Ġw(4), or(5), Ġwor(6), ld(7), Ġworld(8).
        _tok.Encode("hello world", addBos: false).Should().Equal(269, 274);
        _tok.Encode("hello world").Should().Equal(Bos, 269, 274);
    }

    [Fact]
    public void Unmerged_space_and_newlines_use_their_byte_tokens()
    {
        _tok.Encode("hi\n", addBos: false).Should().Equal(Id('h'), Id('i'), Newline);
        _tok.Encode("a\n\nb", addBos: false).Should().Equal(Id('a'), 282, Id('b'));
        _tok.Encode("x  y", addBos: false).Should().Equal(Id('x'), Space, Space, Id('y'));
    }

    [Fact]
    public void Multi_byte_characters_go_through_byte_tokens()
    {
        // é is C3 A9 and merges to one token; 😀 is F0 9F 98 80 and has no merges.
        _tok.Encode("é", addBos: false).Should().Equal(277);
        _tok.Encode("😀", addBos: false).Should().Equal(10 + 0xF0, 10 + 0x9F, 10 + 0x98, 10 + 0x80);
    }

    [Theory]
    [InlineData("qwen2", new[] { 10 + '1', 10 + '2', 10 + '3', 10 + '4', 10 + '5', 10 + '6', 10 + '7' })]
    [InlineData("llama3", new[] { 279, 281, 10 + '7' })]
    [InlineData("gpt2", new[] { 279, 281, 10 + '7' })]
    public void Digits_merge_only_within_pre_tokenizer_words(string pre, int[] expected) =>
        Create(pre).Encode("1234567", addBos: false).Should().Equal(expected);

    [Fact]
    public void Llama3_takes_a_whole_word_in_the_vocabulary_without_merging()
    {
        // "abc" is not a token, so merging still runs; "ab" is, and either way it is one token.
        Create("llama3").Encode("ab abc", addBos: false).Should().Equal(276, Space, Id('a'), 275);
    }

    [Fact]
    public void Special_tokens_in_text_are_single_tokens_longest_first()
    {
        _tok.Encode("hello<|im_end|><br><br><br> world<|endoftext|>", addBos: false)
            .Should().Equal(269, ImEnd, BrBr, Br, 274, EndOfText);
    }

    [Fact]
    public void Unused_tokens_are_not_matched_as_specials()
    {
        var ids = _tok.Encode("<unused5>", addBos: false);
        ids.Should().HaveCount("<unused5>".Length).And.NotContain(5);
    }

    [Fact]
    public void No_bos_is_added_when_the_vocabulary_has_none()
    {
        Create(bos: -1).Encode("ab").Should().Equal(276);
        _tok.Encode("").Should().Equal(Bos);
    }

    [Fact]
    public void Pieces_map_the_byte_alphabet_back_and_control_tokens_add_nothing()
    {
        _tok.Piece(-1, 274).ToArray().Should().Equal((byte)' ', (byte)'w', (byte)'o', (byte)'r', (byte)'l', (byte)'d');
        _tok.Piece(-1, 277).ToArray().Should().Equal((byte)0xC3, (byte)0xA9);
        _tok.Piece(-1, Newline).ToArray().Should().Equal((byte)'\n');
        _tok.Piece(-1, ImEnd).IsEmpty.Should().BeTrue();
        _tok.Piece(-1, Br).ToArray().Should().Equal("<br>"u8.ToArray());
    }

    [Fact]
    public void Text_round_trips_and_control_tokens_vanish()
    {
        const string text = "hello world<br> café 😀\n\n1234567 I'm ok";
        TokenDecoder.Decode(_tok, _tok.Encode(text)).Should().Be(text);
        TokenDecoder.Decode(_tok, _tok.Encode("hi<|im_end|>", addBos: false)).Should().Be("hi");
    }

    [Fact]
    public void Streaming_holds_a_split_character_until_it_is_whole()
    {
        var decoder = new TokenDecoder(_tok);
        decoder.Append(Id('a')).Should().Be("a");
        decoder.Append(10 + 0xC3).Should().BeEmpty();
        decoder.Append(10 + 0xA9).Should().Be("é");
        foreach (var b in new[] { 0xF0, 0x9F, 0x98 }) decoder.Append(10 + b).Should().BeEmpty();
        decoder.Append(10 + 0x80).Should().Be("😀");
        decoder.Flush().Should().BeEmpty();
    }

    [Fact]
    public void Stop_ids_are_eos_and_named_end_of_turn_tokens()
    {
        _tok.StopIds.Should().BeEquivalentTo([EndOfText, ImEnd]);
        _tok.VocabSize.Should().Be(FirstMerged + Merges.Length);
        _tok.EosId.Should().Be(EndOfText);
        _tok.BosId.Should().Be(Bos);
    }
}
