namespace Grid.Engine.Models;

/// <summary>One transformer block's tensors. Gate is llama2.c's w1, Up its w3, Down its w2.</summary>
public sealed record LayerWeights(
    WeightTensor AttnNorm,
    WeightTensor Wq,
    WeightTensor Wk,
    WeightTensor Wv,
    WeightTensor Wo,
    WeightTensor FfnNorm,
    WeightTensor Gate,
    WeightTensor Up,
    WeightTensor Down)
{
    public WeightTensor? Bq { get; init; }
    public WeightTensor? Bk { get; init; }
    public WeightTensor? Bv { get; init; }
}
