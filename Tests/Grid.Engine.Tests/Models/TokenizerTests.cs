using System.Diagnostics;
using System.Text;
using Grid.Engine.Models;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Tests.Models;

public class TokenizerTests
{
    private static ITokenizer Llama2c() => SentencePieceTokenizer.ReadLlama2c(Stories.Tokenizer, 512);

    private static ITokenizer Gguf()
    {
        using var model = ModelLoader.Load(Stories.Gguf("f32"));
        return model.Tokenizer;
    }

    [SkippableFact]
    public void ReadmeExampleEncodes()
    {
        Llama2c().Encode("A bird").Should().Equal(1, 410, 447, 268, 315, 418);
        Gguf().Encode("A bird").Should().Equal(1, 410, 447, 268, 315, 418);
    }

    [SkippableFact]
    public void EveryReferencePromptEncodesAsTheReferenceDid()
    {
        var llama2c = Llama2c();
        var gguf = Gguf();
        foreach (var r in Stories.References())
        {
            llama2c.Encode(r.Prompt).Should().Equal(r.PromptTokens, because: $"llama2.c tokenizer, prompt '{r.Prompt}'");
            gguf.Encode(r.Prompt).Should().Equal(r.PromptTokens, because: $"GGUF tokenizer, prompt '{r.Prompt}'");
        }
    }

    [SkippableFact]
    public void DecodingReferenceTokensGivesTheReferenceText()
    {
        foreach (var tokenizer in new[] { Llama2c(), Gguf() })
            foreach (var r in Stories.References())
                TokenDecoder.Decode(tokenizer, r.PromptTokens.Concat(r.GeneratedTokens)).Should().Be(r.Text);
    }

    [SkippableFact]
    public void BothTokenizersAgreeOnUnicodeAndByteFallback()
    {
        const string text = "Tom said: \"héllo wörld\" — 日本 🙂\nbye  two  spaces";
        var a = Llama2c().Encode(text);
        a.Should().Equal(Gguf().Encode(text));
        a.Should().Contain(t => t >= 3 && t < 259, "characters outside the vocabulary fall back to byte tokens");
        TokenDecoder.Decode(Llama2c(), a).Should().Be(text);
        Llama2c().Encode("", addBos: false).Should().BeEmpty();
        Llama2c().Encode("").Should().Equal(1);
    }

    [SkippableFact]
    public void StreamingHoldsBackPartialUtf8()
    {
        var tokenizer = Llama2c();
        var euro = Encoding.UTF8.GetBytes("€"); // three bytes, none a piece of its own
        var decoder = new TokenDecoder(tokenizer);
        decoder.Append(1).Should().BeEmpty();
        decoder.Append(euro[0] + 3).Should().BeEmpty();
        decoder.Append(euro[1] + 3).Should().BeEmpty();
        decoder.Append(euro[2] + 3).Should().Be("€");
        decoder.Append(euro[0] + 3).Should().BeEmpty();
        decoder.Flush().Should().Be("\uFFFD");
    }

    [SkippableFact]
    public void PieceRules()
    {
        var t = (SentencePieceTokenizer)Gguf();
        t.Piece(-1, 1).ToArray().Should().BeEmpty("BOS is a control token");
        t.Piece(-1, 2).ToArray().Should().BeEmpty("EOS is a control token");
        t.Piece(-1, 13).ToArray().Should().Equal((byte)'\n');
        t.Piece(-1, 410).ToArray().Should().Equal((byte)' ');
        t.Piece(1, 403).ToArray().Should().Equal("Once"u8.ToArray());
        t.Piece(5, 403).ToArray().Should().Equal(" Once"u8.ToArray());
        t.Kinds[13].Should().Be(TokenKind.Byte);
        t.SpaceSymbol.Should().Be("\u2581");
    }

    [SkippableFact]
    public void LongPromptsEncodeQuickly()
    {
        var tokenizer = Llama2c();
        var text = string.Concat(Enumerable.Repeat("Once upon a time, there was a little girl named Lily. ", 300));
        var watch = Stopwatch.StartNew();
        var tokens = tokenizer.Encode(text);
        watch.Stop();
        tokens.Length.Should().BeGreaterThan(4000);
        TokenDecoder.Decode(tokenizer, tokens).Should().Be(text);
        watch.ElapsedMilliseconds.Should().BeLessThan(1000);
    }

    [Fact]
    public void MergeTakesTheLeftmostOfEqualScores()
    {
        // "aaa": "aa" can form at 0 or 1; the leftmost wins, leaving "aa" + "a".
        var pieces = new[] { "<unk>", "<s>", "</s>", "a", "aa", "\u2581" };
        var tokenizer = new SentencePieceTokenizer(pieces.Select(Encoding.UTF8.GetBytes).ToArray(), [0, 0, 0, -1, -1, -1],
            [TokenKind.Unknown, TokenKind.Control, TokenKind.Control, TokenKind.Normal, TokenKind.Normal, TokenKind.Normal],
            1, 2, 0, "\u2581", addSpacePrefix: false);
        tokenizer.Encode("aaa", addBos: false).Should().Equal(4, 3);
        tokenizer.Encode("b", addBos: false).Should().Equal([0], "an unknown byte without byte tokens is <unk>");
    }
}
