namespace Grid.Engine.Models.Tokenizers;

/// <summary>What a vocabulary entry is, numbered as GGUF's tokenizer.ggml.token_type numbers it.</summary>
public enum TokenKind
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
