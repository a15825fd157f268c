using Grid.Engine.Models;

namespace Grid.Silo.Cli;

/// <summary>
/// The built-in model a fresh machine runs without downloading anything: a small Llama shape with
/// seeded random weights and a byte-level vocabulary. It exercises the whole engine; its text is noise.
/// </summary>
public static class DemoModel
{
    public static readonly ModelConfig Config = new()
    {
        Architecture = "llama", Dim = 288, HiddenDim = 768, Layers = 6, Heads = 6, KvHeads = 2,
        VocabSize = 512, ContextLength = 1024,
    };

    public const string Notice =
        "Using the built-in demo model: random weights, so its text is noise. " +
        "Point --model at a GGUF file (Llama, Mistral, TinyLlama, Qwen2; F32/F16/BF16/Q8_0) " +
        "or a llama2.c checkpoint (with --tokenizer tok.bin) for real text.";

    public static Model Create() => RandomModel.Create(Config, TensorType.F16, seed: 20261126);
}
