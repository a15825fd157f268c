using System.Text;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Models;

/// <summary>
/// A model with seeded random weights (std 0.02 by default, norms near 1) in native buffers and a SentencePiece
/// vocabulary of unknown, BOS, EOS, the 256 byte tokens and unique filler pieces, so any text encodes
/// (by byte fallback if need be) and llama.cpp accepts the model once written as GGUF.
/// </summary>
public static class RandomModel
{
    /// <param name="weightType">How matrices are stored. Q8_0 matrices whose rows are not whole
    /// 32-value blocks are stored F16, as llama.cpp's quantiser does.</param>
    /// <param name="tiedOutput">When true the classifier is the token embedding itself.</param>
    /// <param name="std">Spread of the matrices' weights: tests raise it so attention is sharp and every op shows in the logits.</param>
    public static Model Create(ModelConfig config, TensorType weightType, int seed, bool tiedOutput = true, float std = 0.02f)
    {
        config.Validate("random model");
        if (config.VocabSize < 259)
            throw new ArgumentException($"vocabulary size {config.VocabSize} is below 259: the 3 special and 256 byte tokens need that many", nameof(config));

        var random = new Random(seed);
        var owned = new List<IDisposable>();
        WeightTensor Make(string name, int rows, int cols, float mean, float std, TensorType type)
        {
            var values = new float[(long)rows * cols];
            for (var i = 0; i < values.Length; i++) values[i] = mean + std * Normal(random);
            if (type == TensorType.Q8_0 && cols % 32 != 0) type = TensorType.F16;
            var t = WeightTensor.Create(name, type, rows, cols, values, out var buffer);
            owned.Add(buffer);
            return t;
        }
        WeightTensor Matrix(string name, int rows, int cols) => Make(name, rows, cols, 0, std, weightType);
        WeightTensor Norm(string name, int cols) => Make(name, 1, cols, 1, 0.05f, TensorType.F32);
        WeightTensor Bias(string name, int cols) => Make(name, 1, cols, 0, std, TensorType.F32);

        var c = config;
        var embedding = Matrix("token_embd.weight", c.VocabSize, c.Dim);
        var layers = new List<LayerWeights>(c.Layers);
        for (var i = 0; i < c.Layers; i++)
        {
            var p = $"blk.{i}.";
            layers.Add(new LayerWeights(
                Norm(p + "attn_norm.weight", c.Dim),
                Matrix(p + "attn_q.weight", c.Dim, c.Dim),
                Matrix(p + "attn_k.weight", c.KvDim, c.Dim),
                Matrix(p + "attn_v.weight", c.KvDim, c.Dim),
                Matrix(p + "attn_output.weight", c.Dim, c.Dim),
                Norm(p + "ffn_norm.weight", c.Dim),
                Matrix(p + "ffn_gate.weight", c.HiddenDim, c.Dim),
                Matrix(p + "ffn_up.weight", c.HiddenDim, c.Dim),
                Matrix(p + "ffn_down.weight", c.Dim, c.HiddenDim))
            {
                Bq = c.HasQkvBias ? Bias(p + "attn_q.bias", c.Dim) : null,
                Bk = c.HasQkvBias ? Bias(p + "attn_k.bias", c.KvDim) : null,
                Bv = c.HasQkvBias ? Bias(p + "attn_v.bias", c.KvDim) : null,
            });
        }
        var finalNorm = Norm("output_norm.weight", c.Dim);
        var output = tiedOutput ? embedding : Matrix("output.weight", c.VocabSize, c.Dim);
        var weights = new ModelWeights(embedding, layers, finalNorm, output);
        weights.Validate(config, "random model");
        return new Model($"random-{seed}", config, weights, Vocabulary(c.VocabSize), owned);
    }

    /// <summary>The special and byte tokens, then "▁", printable ASCII, and lowercase words of growing length.</summary>
    public static SentencePieceTokenizer Vocabulary(int size)
    {
        var pieces = new List<string> { "<unk>", "<s>", "</s>" };
        var kinds = new List<TokenKind> { TokenKind.Unknown, TokenKind.Control, TokenKind.Control };
        for (var b = 0; b < 256; b++)
        {
            pieces.Add($"<0x{b:X2}>");
            kinds.Add(TokenKind.Byte);
        }
        foreach (var filler in Fillers())
        {
            if (pieces.Count >= size) break;
            pieces.Add(filler);
            kinds.Add(TokenKind.Normal);
        }
        var scores = pieces.Select((_, i) => i < 259 ? 0f : -(i - 259)).ToArray();
        return new SentencePieceTokenizer(pieces.Select(Encoding.UTF8.GetBytes).ToArray(), scores, kinds,
            1, 2, 0, "\u2581", addSpacePrefix: true);
    }

    private static IEnumerable<string> Fillers()
    {
        yield return "\u2581";
        for (var ch = '!'; ch <= '~'; ch++) yield return ch.ToString();
        for (var ch = 'a'; ch <= 'z'; ch++) yield return "\u2581" + ch;
        // Lowercase words of length 2, 3, ...: an endless supply of unique pieces.
        for (var length = 2; ; length++)
        {
            var word = new char[length];
            var count = (long)Math.Pow(26, Math.Min(length, 6));
            for (long n = 0; n < count; n++)
            {
                var x = n;
                for (var i = length - 1; i >= 0; i--) { word[i] = (char)('a' + x % 26); x /= 26; }
                yield return new string(word);
            }
        }
    }

    private static float Normal(Random random)
    {
        // Box-Muller: deterministic for a seed, unlike anything that reads the clock.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
