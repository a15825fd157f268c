namespace Grid.Engine.Models;

/// <summary>All of a model's tensors. <see cref="Output"/> is the token embedding itself when the classifier is tied.</summary>
public sealed record ModelWeights(
    WeightTensor TokenEmbedding,
    IReadOnlyList<LayerWeights> Layers,
    WeightTensor FinalNorm,
    WeightTensor Output)
{
    public bool TiedOutput => ReferenceEquals(Output, TokenEmbedding);

    /// <summary>Checks every tensor's shape against the config; the message names the tensor.</summary>
    public void Validate(ModelConfig c, string source)
    {
        void Shape(WeightTensor t, int rows, int cols)
        {
            if (t.Rows != rows || t.Cols != cols)
                throw new InvalidDataException(
                    $"{source}: tensor '{t.Name}' has shape [{t.Rows} x {t.Cols}], expected [{rows} x {cols}]");
        }

        Shape(TokenEmbedding, c.VocabSize, c.Dim);
        Shape(FinalNorm, 1, c.Dim);
        Shape(Output, c.VocabSize, c.Dim);
        if (Layers.Count != c.Layers)
            throw new InvalidDataException($"{source}: {Layers.Count} layers of tensors, expected {c.Layers}");
        foreach (var l in Layers)
        {
            Shape(l.AttnNorm, 1, c.Dim);
            Shape(l.Wq, c.Dim, c.Dim);
            Shape(l.Wk, c.KvDim, c.Dim);
            Shape(l.Wv, c.KvDim, c.Dim);
            Shape(l.Wo, c.Dim, c.Dim);
            Shape(l.FfnNorm, 1, c.Dim);
            Shape(l.Gate, c.HiddenDim, c.Dim);
            Shape(l.Up, c.HiddenDim, c.Dim);
            Shape(l.Down, c.Dim, c.HiddenDim);
            if (l.Bq is { } bq) Shape(bq, 1, c.Dim);
            if (l.Bk is { } bk) Shape(bk, 1, c.KvDim);
            if (l.Bv is { } bv) Shape(bv, 1, c.KvDim);
            var biases = (l.Bq is null ? 0 : 1) + (l.Bk is null ? 0 : 1) + (l.Bv is null ? 0 : 1);
            if (c.HasQkvBias && biases != 3)
                throw new InvalidDataException($"{source}: the architecture needs Q/K/V biases and a layer lacks them");
            if (biases is 1 or 2)
                throw new InvalidDataException($"{source}: a layer has some of the Q/K/V biases but not all three");
        }
    }
}
