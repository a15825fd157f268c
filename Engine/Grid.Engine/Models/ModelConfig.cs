namespace Grid.Engine.Models;

/// <summary>The hyperparameters of a Llama-family transformer.</summary>
public sealed record ModelConfig
{
    public string Architecture { get; init; } = "llama";
    public required int Dim { get; init; }
    public required int HiddenDim { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int VocabSize { get; init; }
    public required int ContextLength { get; init; }
    public float RmsEps { get; init; } = 1e-5f;
    public float RopeTheta { get; init; } = 10000f;

    /// <summary>Head dimensions that rotate; the rest pass through. Defaults to the whole head.</summary>
    public int RopeDim { get; init; }
    public RopeStyle RopeStyle { get; init; } = RopeStyle.Interleaved;

    /// <summary>Q, K and V projections carry biases (qwen2).</summary>
    public bool HasQkvBias { get; init; }

    public int HeadDim => Dim / Heads;
    public int KvDim => KvHeads * HeadDim;
    public int RotaryDim => RopeDim > 0 ? RopeDim : HeadDim;

    /// <summary>Throws with a message that names the first impossible value.</summary>
    public void Validate(string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new InvalidDataException($"{source}: {what}");
        }

        Require(Dim > 0, $"embedding length {Dim} must be positive");
        Require(HiddenDim > 0, $"feed-forward length {HiddenDim} must be positive");
        Require(Layers > 0, $"block count {Layers} must be positive");
        Require(Heads > 0 && Dim % Heads == 0, $"head count {Heads} must divide the embedding length {Dim}");
        Require(KvHeads > 0 && Heads % KvHeads == 0, $"KV head count {KvHeads} must divide the head count {Heads}");
        Require(VocabSize > 0, $"vocabulary size {VocabSize} must be positive");
        Require(ContextLength > 0, $"context length {ContextLength} must be positive");
        Require(RmsEps > 0, $"RMS epsilon {RmsEps} must be positive");
        Require(RopeTheta > 0, $"RoPE base {RopeTheta} must be positive");
        Require(RotaryDim > 0 && RotaryDim <= HeadDim && RotaryDim % 2 == 0,
            $"RoPE dimension {RotaryDim} must be even and at most the head dimension {HeadDim}");
    }
}
