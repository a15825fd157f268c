using System.Text;
using Grid.Engine.Models.Gguf;

namespace Grid.Engine.Models.Tokenizers;

/// <summary>Builds the tokenizer a GGUF file describes in its tokenizer.ggml.* metadata.</summary>
public static class GgufTokenizer
{
    /// <param name="source">The file, for messages.</param>
    public static ITokenizer Create(IReadOnlyDictionary<string, object> metadata, string source)
    {
        var model = metadata.String("tokenizer.ggml.model", source);
        var tokens = metadata.Array<string>("tokenizer.ggml.tokens", source)
            ?? throw new InvalidDataException($"{source}: missing metadata key 'tokenizer.ggml.tokens'");
        var types = metadata.IntArray("tokenizer.ggml.token_type", source);
        if (types is not null && types.Length != tokens.Length)
            throw new InvalidDataException($"{source}: {tokens.Length} tokens but {types.Length} token types");
        var kinds = types is null
            ? Enumerable.Repeat(TokenKind.Normal, tokens.Length).ToArray()
            : Array.ConvertAll(types, t => Enum.IsDefined((TokenKind)t) ? (TokenKind)t : TokenKind.Normal);

        int Id(string key, int fallback)
        {
            if (fallback < 0 && !metadata.Has(key)) return -1; // absent and optional: no such token
            var id = metadata.Int(key, source, fallback);
            return id >= 0 && id < tokens.Length ? id
                : throw new InvalidDataException($"{source}: {key} {id} is outside the vocabulary of {tokens.Length}");
        }

        switch (model)
        {
            case "llama":
            {
                var scores = metadata.Array<float>("tokenizer.ggml.scores", source) ?? new float[tokens.Length];
                if (scores.Length != tokens.Length)
                    throw new InvalidDataException($"{source}: {tokens.Length} tokens but {scores.Length} scores");
                var pieces = Array.ConvertAll(tokens, Encoding.UTF8.GetBytes);
                return new SentencePieceTokenizer(pieces, scores, kinds,
                    Id("tokenizer.ggml.bos_token_id", 1), Id("tokenizer.ggml.eos_token_id", 2),
                    Id("tokenizer.ggml.unknown_token_id", 0), "\u2581",
                    metadata.Bool("tokenizer.ggml.add_space_prefix", source, true));
            }
            case "gpt2":
            {
                var merges = metadata.Array<string>("tokenizer.ggml.merges", source)
                    ?? throw new InvalidDataException($"{source}: missing metadata key 'tokenizer.ggml.merges' (a byte-level BPE vocabulary needs its merges)");
                // Byte-level BPE models (Qwen2 among them) add no BOS unless the file asks for one, as llama.cpp does.
                var addBos = metadata.Bool("tokenizer.ggml.add_bos_token", source, false);
                var bos = addBos && metadata.Has("tokenizer.ggml.bos_token_id") ? Id("tokenizer.ggml.bos_token_id", -1) : -1;
                return new BpeTokenizer(tokens, merges, Array.ConvertAll(kinds, k => (int)k), bos,
                    Id("tokenizer.ggml.eos_token_id", -1), metadata.String("tokenizer.ggml.pre", source, "default"));
            }
            default:
                throw new InvalidDataException($"{source}: tokenizer model '{model}' is not supported (supported: llama, gpt2)");
        }
    }
}
