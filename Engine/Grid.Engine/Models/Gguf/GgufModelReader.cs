using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Models.Gguf;

/// <summary>
/// Builds a <see cref="Model"/> from a GGUF file of architecture <c>llama</c> (also Mistral, TinyLlama)
/// or <c>qwen2</c>. Matrices stay in the map; 1-D norms and biases stored as F16/BF16 are converted to
/// F32 buffers the model owns, so the backends always see F32 vectors.
/// </summary>
public static class GgufModelReader
{
    public static Model Load(string path)
    {
        var file = GgufFile.Open(path);
        var owned = new List<IDisposable> { file };
        try
        {
            var config = ReadConfig(file);
            config.Validate(path);
            var weights = ReadWeights(file, config, owned);
            weights.Validate(config, path);
            var tokenizer = GgufTokenizer.Create(file.Metadata, path);
            if (tokenizer.VocabSize != config.VocabSize)
                throw new InvalidDataException($"{path}: the tokenizer has {tokenizer.VocabSize} tokens, the model {config.VocabSize}");
            var template = file.Metadata.GetValueOrDefault("tokenizer.chat_template") as string;
            return new Model(path, config, weights, tokenizer, owned) { ChatTemplate = template };
        }
        catch
        {
            foreach (var o in owned) o.Dispose();
            throw;
        }
    }

    public static ModelConfig ReadConfig(GgufFile file)
    {
        var m = file.Metadata;
        var src = file.Path;
        var arch = m.String("general.architecture", src);
        if (arch is not ("llama" or "qwen2"))
            throw new InvalidDataException($"{src}: architecture '{arch}' is not supported (supported: llama, qwen2)");

        // Scaled rotary embeddings (linear, YaRN, Llama 3.1's per-frequency factors) would load and
        // silently compute wrong logits with plain RoPE: refuse them by name instead.
        var scaling = m.Has($"{arch}.rope.scaling.type") ? m.String($"{arch}.rope.scaling.type", src) : "none";
        if (scaling != "none")
            throw new InvalidDataException($"{src}: RoPE scaling '{scaling}' ({arch}.rope.scaling.type) is not supported yet");
        if (file.Contains("rope_freqs.weight"))
            throw new InvalidDataException($"{src}: per-frequency RoPE factors (tensor 'rope_freqs.weight', Llama 3.1 style) are not supported yet");

        var dim = m.Int($"{arch}.embedding_length", src);
        var heads = m.Int($"{arch}.attention.head_count", src);
        var embedding = file.Info("token_embd.weight") ?? throw new InvalidDataException($"{src}: missing tensor 'token_embd.weight'");
        var vocab = m.Array<string>("tokenizer.ggml.tokens", src)?.Length ?? (int)embedding.Rows;
        return new ModelConfig
        {
            Architecture = arch,
            Dim = dim,
            HiddenDim = m.Int($"{arch}.feed_forward_length", src),
            Layers = m.Int($"{arch}.block_count", src),
            Heads = heads,
            KvHeads = m.Int($"{arch}.attention.head_count_kv", src, heads),
            VocabSize = vocab,
            ContextLength = m.Int($"{arch}.context_length", src),
            RmsEps = m.Float($"{arch}.attention.layer_norm_rms_epsilon", src, 1e-5f),
            RopeTheta = m.Float($"{arch}.rope.freq_base", src, 10000f),
            RopeDim = m.Int($"{arch}.rope.dimension_count", src, heads > 0 ? dim / heads : 0),
            RopeStyle = arch == "qwen2" ? RopeStyle.NeoX : RopeStyle.Interleaved,
            HasQkvBias = arch == "qwen2",
        };
    }

    private static ModelWeights ReadWeights(GgufFile file, ModelConfig config, List<IDisposable> owned)
    {
        WeightTensor Vector(string name) => AsF32(file.Tensor(name), owned);
        WeightTensor? OptionalVector(string name) => file.TryTensor(name) is { } t ? AsF32(t, owned) : null;

        var layers = new List<LayerWeights>(config.Layers);
        for (var i = 0; i < config.Layers; i++)
        {
            var p = $"blk.{i}.";
            layers.Add(new LayerWeights(
                Vector(p + "attn_norm.weight"),
                file.Tensor(p + "attn_q.weight"),
                file.Tensor(p + "attn_k.weight"),
                file.Tensor(p + "attn_v.weight"),
                file.Tensor(p + "attn_output.weight"),
                Vector(p + "ffn_norm.weight"),
                file.Tensor(p + "ffn_gate.weight"),
                file.Tensor(p + "ffn_up.weight"),
                file.Tensor(p + "ffn_down.weight"))
            {
                Bq = OptionalVector(p + "attn_q.bias"),
                Bk = OptionalVector(p + "attn_k.bias"),
                Bv = OptionalVector(p + "attn_v.bias"),
            });
        }

        var embedding = file.Tensor("token_embd.weight");
        var output = file.TryTensor("output.weight") ?? embedding;
        return new ModelWeights(embedding, layers, Vector("output_norm.weight"), output);
    }

    private static WeightTensor AsF32(WeightTensor t, List<IDisposable> owned)
    {
        if (t.Type == TensorType.F32) return t;
        var converted = WeightTensor.Create(t.Name, TensorType.F32, t.Rows, t.Cols, t.ToFloat(), out var buffer);
        owned.Add(buffer);
        return converted;
    }
}
