using System.Buffers.Binary;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Models.Llama2c;

/// <summary>
/// Loads a llama2.c checkpoint: 7 int32 (dim, hidden, layers, heads, kv heads, vocab, seq len; a
/// negative vocab means a separate classifier follows), then F32 tensors stacked over layers. The
/// file is mapped and every tensor, per-layer slices included, points into the map.
/// </summary>
public static unsafe class Llama2cLoader
{
    private const int HeaderBytes = 7 * 4;

    public static Model Load(string path, string? tokenizerPath = null)
    {
        var file = MappedFile.Open(path);
        try
        {
            var (config, shared) = ReadConfig(file);
            var weights = ReadWeights(file, config, shared);
            weights.Validate(config, path);
            var tokenizer = SentencePieceTokenizer.ReadLlama2c(tokenizerPath ?? FindTokenizer(path), config.VocabSize);
            return new Model(path, config, weights, tokenizer, [file]);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The only tok*.bin or tokenizer.bin beside the checkpoint.</summary>
    public static string FindTokenizer(string checkpoint)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        var candidates = Directory.EnumerateFiles(dir, "tok*.bin")
            .Where(f => f != Path.GetFullPath(checkpoint))
            .ToList();
        return candidates.Count == 1 ? candidates[0]
            : throw new InvalidDataException(
                $"{checkpoint}: a llama2.c checkpoint needs its tokenizer file; found {candidates.Count} tok*.bin/tokenizer.bin files beside it " +
                $"({string.Join(", ", candidates.Select(Path.GetFileName))}): pass --tokenizer <path>");
    }

    private static (ModelConfig Config, bool SharedClassifier) ReadConfig(MappedFile file)
    {
        if (file.Length < HeaderBytes)
            throw new InvalidDataException($"{file.Path}: truncated llama2.c checkpoint: {file.Length} bytes, the header alone is {HeaderBytes}");
        var h = new int[7];
        for (var i = 0; i < 7; i++) h[i] = BinaryPrimitives.ReadInt32LittleEndian(file.Span(i * 4, 4));
        if (h[5] == int.MinValue) throw new InvalidDataException($"{file.Path}: vocabulary size {h[5]} is invalid");
        var config = new ModelConfig
        {
            Dim = h[0], HiddenDim = h[1], Layers = h[2], Heads = h[3], KvHeads = h[4],
            VocabSize = Math.Abs(h[5]), ContextLength = h[6],
        };
        config.Validate(file.Path);

        long d = config.Dim, hd = config.HiddenDim, l = config.Layers, kv = config.KvDim, v = config.VocabSize;
        long expected;
        try
        {
            var floats = checked(v * d + l * (2 * d + 2 * d * d + 2 * kv * d + 3 * hd * d) + d
                + (long)config.ContextLength * config.HeadDim + (h[5] < 0 ? v * d : 0));
            expected = checked(HeaderBytes + floats * 4);
        }
        catch (OverflowException)
        {
            expected = long.MaxValue;
        }
        if (file.Length < expected)
            throw new InvalidDataException(
                $"{file.Path}: truncated llama2.c checkpoint: {file.Length} bytes, the header's shapes need {expected}");
        return (config, h[5] > 0);
    }

    private static ModelWeights ReadWeights(MappedFile file, ModelConfig c, bool shared)
    {
        long offset = HeaderBytes;
        var layers = c.Layers;

        // Each call takes the next stacked array and gives one tensor per layer over it, named as GGUF names it.
        WeightTensor[] Stacked(string name, int rows, int cols)
        {
            var result = new WeightTensor[layers];
            for (var i = 0; i < layers; i++)
                result[i] = new WeightTensor($"blk.{i}.{name}", TensorType.F32, rows, cols,
                    (nint)(file.Pointer + offset + (long)i * rows * cols * 4));
            offset += (long)layers * rows * cols * 4;
            return result;
        }

        WeightTensor Single(string name, int rows, int cols)
        {
            var t = new WeightTensor(name, TensorType.F32, rows, cols, (nint)(file.Pointer + offset));
            offset += (long)rows * cols * 4;
            return t;
        }

        var embedding = Single("token_embd.weight", c.VocabSize, c.Dim);
        var attnNorm = Stacked("attn_norm.weight", 1, c.Dim);
        var wq = Stacked("attn_q.weight", c.Dim, c.Dim);
        var wk = Stacked("attn_k.weight", c.KvDim, c.Dim);
        var wv = Stacked("attn_v.weight", c.KvDim, c.Dim);
        var wo = Stacked("attn_output.weight", c.Dim, c.Dim);
        var ffnNorm = Stacked("ffn_norm.weight", 1, c.Dim);
        var w1 = Stacked("ffn_gate.weight", c.HiddenDim, c.Dim);
        var w2 = Stacked("ffn_down.weight", c.Dim, c.HiddenDim);
        var w3 = Stacked("ffn_up.weight", c.HiddenDim, c.Dim);
        var finalNorm = Single("output_norm.weight", 1, c.Dim);
        offset += (long)c.ContextLength * c.HeadDim * 4; // the two unused RoPE tables, seq_len * head_size / 2 each
        var output = shared ? embedding : Single("output.weight", c.VocabSize, c.Dim);

        var list = Enumerable.Range(0, layers)
            .Select(i => new LayerWeights(attnNorm[i], wq[i], wk[i], wv[i], wo[i], ffnNorm[i], w1[i], w3[i], w2[i]))
            .ToList();
        return new ModelWeights(embedding, list, finalNorm, output);
    }
}
