namespace Grid.Engine.Models.Tokenizers;

/// <summary>Token texts that end a turn in common chat vocabularies; generation stops on them as on EOS.</summary>
internal static class EndOfTurn
{
    public static readonly string[] Names = ["<|im_end|>", "<|eot_id|>", "<|endoftext|>", "<|end_of_text|>", "<end_of_turn>"];
}
