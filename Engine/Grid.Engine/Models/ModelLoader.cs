using Grid.Engine.Models.Gguf;
using Grid.Engine.Models.Llama2c;

namespace Grid.Engine.Models;

/// <summary>Opens a model file of either supported format, telling them apart by the GGUF magic.</summary>
public static class ModelLoader
{
    /// <param name="tokenizerPath">llama2.c only: the tokenizer file, when it is not the only tok*.bin beside the checkpoint.</param>
    public static Model Load(string path, string? tokenizerPath = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        return IsGguf(path) ? GgufModelReader.Load(path) : Llama2cLoader.Load(path, tokenizerPath);
    }

    public static bool IsGguf(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
    }
}
