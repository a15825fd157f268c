namespace Grid.Engine.Models;

/// <summary>Which pairs of a head's dimensions rotary embedding rotates together.</summary>
public enum RopeStyle
{
    /// <summary>Adjacent pairs (i, i+1): llama2.c and GGUF <c>llama</c>.</summary>
    Interleaved,

    /// <summary>Half-split pairs (i, i + d/2): GPT-NeoX style, GGUF <c>qwen2</c>.</summary>
    NeoX,
}
