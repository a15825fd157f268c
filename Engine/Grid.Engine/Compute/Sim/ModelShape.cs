using Grid.Engine.Models;

namespace Grid.Engine.Compute.Sim;

/// <summary>
/// A model as the roofline model sees it: its hyperparameters, how many bytes a weight and a KV
/// element take, and whether the classifier shares the embedding. Parameter counts follow the
/// Llama layout: Q and O are dim x dim, K and V dim x kvDim, gate, up and down dim x hidden.
/// </summary>
public sealed record ModelShape(string Name, ModelConfig Config, int BytesPerWeight = 2, bool TiedEmbeddings = false)
{
    public static readonly ModelShape Llama3_8B = new("Llama-3-8B", new ModelConfig
    {
        Dim = 4096, Layers = 32, Heads = 32, KvHeads = 8, HiddenDim = 14336, VocabSize = 128256,
        ContextLength = 8192, RopeTheta = 500000f,
    });

    public static readonly ModelShape Llama3_70B = new("Llama-3-70B", new ModelConfig
    {
        Dim = 8192, Layers = 80, Heads = 64, KvHeads = 8, HiddenDim = 28672, VocabSize = 128256,
        ContextLength = 8192, RopeTheta = 500000f,
    });

    // llama2.c's stories110M: its classifier is the embedding matrix.
    public static readonly ModelShape S110M = new("s110M", new ModelConfig
    {
        Dim = 768, Layers = 12, Heads = 12, KvHeads = 12, HiddenDim = 2048, VocabSize = 32000, ContextLength = 1024,
    }, TiedEmbeddings: true);

    public static readonly ModelShape Qwen2_7B = new("Qwen2-7B", new ModelConfig
    {
        Architecture = "qwen2", Dim = 3584, Layers = 28, Heads = 28, KvHeads = 4, HiddenDim = 18944, VocabSize = 152064,
        ContextLength = 32768, RopeTheta = 1000000f, RmsEps = 1e-6f, RopeStyle = RopeStyle.NeoX, HasQkvBias = true,
    });

    private static readonly Dictionary<string, ModelShape> ByName = BuildNames();

    /// <summary>The table's models.</summary>
    public static IReadOnlyList<ModelShape> Known { get; } = [Llama3_8B, Llama3_70B, S110M, Qwen2_7B];

    /// <summary>Bytes of one cached K or V element (a BF16 cache).</summary>
    public int KvBytesPerElement { get; init; } = 2;

    /// <summary>Weights of one layer's matrix multiplications (Q, K, V, O, gate, up, down).</summary>
    public long LayerMatmulParams
    {
        get
        {
            long dim = Config.Dim, kvDim = Config.KvDim, hidden = Config.HiddenDim;
            return 2 * dim * dim + 2 * dim * kvDim + 3 * dim * hidden;
        }
    }

    /// <summary>Weights of all layers' matrix multiplications, the classifier excluded.</summary>
    public long MatmulParams => Config.Layers * LayerMatmulParams;

    public long ClassifierParams => (long)Config.VocabSize * Config.Dim;

    /// <summary>Embedding weights held apart from the classifier (none when they are tied).</summary>
    public long EmbeddingParams => TiedEmbeddings ? 0 : (long)Config.VocabSize * Config.Dim;

    /// <summary>RMSNorm gains and, for qwen2, Q/K/V biases: vectors, read but not multiplied.</summary>
    public long VectorParams => (long)Config.Layers * (2 * Config.Dim + (Config.HasQkvBias ? Config.Dim + 2 * Config.KvDim : 0)) + Config.Dim;

    public long TotalParams => MatmulParams + ClassifierParams + EmbeddingParams + VectorParams;

    /// <summary>Bytes the weights occupy in device memory.</summary>
    public long WeightBytes => TotalParams * BytesPerWeight;

    /// <summary>KV cache bytes one token takes across all layers: layers x (K + V) x kvDim x element size.</summary>
    public long KvBytesPerToken => (long)Config.Layers * 2 * Config.KvDim * KvBytesPerElement;

    /// <summary>Finds a model by name or alias, ignoring case, spaces, dots, hyphens and underscores.</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static ModelShape Get(string name) => ShapeNames.Find(ByName, Known.Select(m => m.Name), "model shape", name);

    private static Dictionary<string, ModelShape> BuildNames()
    {
        var names = new Dictionary<string, ModelShape>();
        void Add(ModelShape shape, params string[] aliases)
        {
            names[ShapeNames.Normalize(shape.Name)] = shape;
            foreach (var alias in aliases) names[ShapeNames.Normalize(alias)] = shape;
        }

        Add(Llama3_8B, "llama3-8b", "meta-llama-3-8b");
        Add(Llama3_70B, "llama3-70b", "meta-llama-3-70b");
        Add(S110M, "stories110m");
        Add(Qwen2_7B, "qwen2-7b-instruct");
        return names;
    }
}
