using System.Text;
using Grid.Engine.Models.Tokenizers;

namespace Grid.Engine.Models.Gguf;

/// <summary>
/// Writes a <see cref="Model"/> as a GGUF v3 file that llama.cpp loads: the architecture's
/// hyperparameters, a SentencePiece ("llama") vocabulary with "▁" for spaces, norms and biases in
/// F32, a tied classifier as no output.weight, and matrices either as stored or converted to one type.
/// </summary>
public static class GgufWriter
{
    private const int Alignment = 32;

    private sealed record Entry(string Name, WeightTensor Source, TensorType Type, bool IsVector);

    /// <param name="weightType">Type for the matrices; null keeps each as stored. Q8_0 rows that are not
    /// whole 32-value blocks are written F16, as llama.cpp's quantiser does.</param>
    /// <param name="name">general.name; defaults to the model file's name.</param>
    public static void Write(Model model, string path, TensorType? weightType = null, string? name = null)
    {
        if (model.Tokenizer is not SentencePieceTokenizer tokenizer)
            throw new NotSupportedException($"GgufWriter writes SentencePiece vocabularies only, not {model.Tokenizer.GetType().Name}");
        var c = model.Config;
        var w = model.Weights;
        var entries = Entries(w, weightType);
        var fileType = (weightType ?? w.Layers[0].Wq.Type) switch
        {
            TensorType.F32 => 0u,
            TensorType.F16 => 1u,
            TensorType.Q8_0 => 7u,
            TensorType.BF16 => 32u,
            var t => throw new NotSupportedException($"tensor type {t} is not supported"),
        };

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var o = new BinaryWriter(stream, Encoding.UTF8);
        var kv = new List<Action>();
        void Kv(string key, GgufValueType type, Action value) => kv.Add(() => { Str(o, key); o.Write((uint)type); value(); });
        void U32(string key, long v) => Kv(key, GgufValueType.UInt32, () => o.Write(checked((uint)v)));
        void F32(string key, float v) => Kv(key, GgufValueType.Float32, () => o.Write(v));
        void Text(string key, string v) => Kv(key, GgufValueType.String, () => Str(o, Encoding.UTF8.GetBytes(v)));
        void Array(string key, GgufValueType type, int count, Action<int> item) => Kv(key, GgufValueType.Array, () =>
        {
            o.Write((uint)type);
            o.Write((ulong)count);
            for (var i = 0; i < count; i++) item(i);
        });

        var arch = c.Architecture;
        Text("general.architecture", arch);
        Text("general.name", name ?? Path.GetFileNameWithoutExtension(model.Source));
        U32("general.alignment", Alignment);
        U32("general.file_type", fileType);
        U32($"{arch}.vocab_size", c.VocabSize);
        U32($"{arch}.context_length", c.ContextLength);
        U32($"{arch}.embedding_length", c.Dim);
        U32($"{arch}.block_count", c.Layers);
        U32($"{arch}.feed_forward_length", c.HiddenDim);
        U32($"{arch}.attention.head_count", c.Heads);
        U32($"{arch}.attention.head_count_kv", c.KvHeads);
        F32($"{arch}.attention.layer_norm_rms_epsilon", c.RmsEps);
        F32($"{arch}.rope.freq_base", c.RopeTheta);
        U32($"{arch}.rope.dimension_count", c.RotaryDim);

        var pieces = GgufPieces(tokenizer);
        Text("tokenizer.ggml.model", "llama");
        Array("tokenizer.ggml.tokens", GgufValueType.String, pieces.Length, i => Str(o, pieces[i]));
        Array("tokenizer.ggml.scores", GgufValueType.Float32, pieces.Length, i => o.Write(tokenizer.Scores[i]));
        Array("tokenizer.ggml.token_type", GgufValueType.Int32, pieces.Length, i => o.Write((int)tokenizer.Kinds[i]));
        U32("tokenizer.ggml.bos_token_id", tokenizer.BosId);
        U32("tokenizer.ggml.eos_token_id", tokenizer.EosId);
        U32("tokenizer.ggml.unknown_token_id", tokenizer.UnknownId);
        Kv("tokenizer.ggml.add_space_prefix", GgufValueType.Bool, () => o.Write(tokenizer.AddSpacePrefix));
        if (model.ChatTemplate is not null) Text("tokenizer.chat_template", model.ChatTemplate);

        o.Write("GGUF"u8);
        o.Write(3u);
        o.Write((ulong)entries.Count);
        o.Write((ulong)kv.Count);
        foreach (var write in kv) write();

        long offset = 0;
        foreach (var e in entries)
        {
            Str(o, Encoding.UTF8.GetBytes(e.Name));
            o.Write(e.IsVector ? 1u : 2u);
            o.Write((ulong)e.Source.Cols);
            if (!e.IsVector) o.Write((ulong)e.Source.Rows);
            o.Write((uint)e.Type);
            o.Write((ulong)offset);
            offset = Align(offset + TensorTypes.RowBytes(e.Type, e.Source.Cols) * e.Source.Rows);
        }

        Pad(o);
        foreach (var e in entries)
        {
            WriteData(o, e);
            Pad(o);
        }
    }

    private static List<Entry> Entries(ModelWeights w, TensorType? weightType)
    {
        var list = new List<Entry>();
        void Matrix(string name, WeightTensor t)
        {
            var type = weightType ?? t.Type;
            if (type == TensorType.Q8_0 && t.Cols % 32 != 0) type = TensorType.F16;
            list.Add(new Entry(name, t, type, false));
        }
        void Vector(string name, WeightTensor? t)
        {
            if (t is not null) list.Add(new Entry(name, t, TensorType.F32, true));
        }

        Matrix("token_embd.weight", w.TokenEmbedding);
        for (var i = 0; i < w.Layers.Count; i++)
        {
            var l = w.Layers[i];
            var p = $"blk.{i}.";
            Vector(p + "attn_norm.weight", l.AttnNorm);
            Matrix(p + "attn_q.weight", l.Wq);
            Matrix(p + "attn_k.weight", l.Wk);
            Matrix(p + "attn_v.weight", l.Wv);
            Vector(p + "attn_q.bias", l.Bq);
            Vector(p + "attn_k.bias", l.Bk);
            Vector(p + "attn_v.bias", l.Bv);
            Matrix(p + "attn_output.weight", l.Wo);
            Vector(p + "ffn_norm.weight", l.FfnNorm);
            Matrix(p + "ffn_gate.weight", l.Gate);
            Matrix(p + "ffn_up.weight", l.Up);
            Matrix(p + "ffn_down.weight", l.Down);
        }
        Vector("output_norm.weight", w.FinalNorm);
        if (!w.TiedOutput) Matrix("output.weight", w.Output);
        return list;
    }

    private static void WriteData(BinaryWriter o, Entry e)
    {
        var t = e.Source;
        if (t.Type == e.Type)
        {
            for (var r = 0; r < t.Rows; r++) o.Write(t.Row(r));
            return;
        }
        var values = new float[t.Cols];
        var bytes = new byte[TensorTypes.RowBytes(e.Type, t.Cols)];
        for (var r = 0; r < t.Rows; r++)
        {
            t.DequantizeRow(r, values);
            Quantize.Row(e.Type, values, bytes);
            o.Write(bytes);
        }
    }

    /// <summary>The vocabulary as GGUF spells it: spaces as "▁" whatever the source file used.</summary>
    private static byte[][] GgufPieces(SentencePieceTokenizer t)
    {
        if (t.SpaceSymbol == "\u2581") return [.. t.Pieces];
        var from = Encoding.UTF8.GetBytes(t.SpaceSymbol);
        var to = "\u2581"u8.ToArray();
        return t.Pieces.Select((p, i) => t.Kinds[i] is TokenKind.Byte or TokenKind.Control ? p : Replace(p, from, to)).ToArray();
    }

    private static byte[] Replace(byte[] piece, byte[] from, byte[] to)
    {
        var result = new List<byte>(piece.Length);
        for (var i = 0; i < piece.Length;)
        {
            if (piece.AsSpan(i).StartsWith(from)) { result.AddRange(to); i += from.Length; }
            else result.Add(piece[i++]);
        }
        return [.. result];
    }

    private static void Str(BinaryWriter o, string s) => Str(o, Encoding.UTF8.GetBytes(s));

    private static void Str(BinaryWriter o, byte[] bytes)
    {
        o.Write((ulong)bytes.Length);
        o.Write(bytes);
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter o)
    {
        var position = o.BaseStream.Position;
        for (var i = position; i < Align(position); i++) o.Write((byte)0);
    }
}
