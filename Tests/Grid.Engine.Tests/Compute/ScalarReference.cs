using Grid.Engine.Models;

namespace Grid.Engine.Tests.Compute;

/// <summary>
/// A plain forward pass written like llama2.c's run.c: one token of one sequence at a time, scalar
/// loops summing in order, a contiguous KV cache per sequence, no SIMD, no paging, no batching.
/// The CPU backend is checked against it.
/// </summary>
public sealed class ScalarReference
{
    private readonly ModelConfig _c;
    private readonly float[] _embedding, _finalNorm, _output;
    private readonly LayerF32[] _layers;
    private readonly Dictionary<int, (float[][] K, float[][] V)> _cache = new();

    private sealed record LayerF32(float[] AttnNorm, float[] Wq, float[] Wk, float[] Wv, float[] Wo, float[] FfnNorm,
        float[] Gate, float[] Up, float[] Down, float[]? Bq, float[]? Bk, float[]? Bv);

    public ScalarReference(Model model)
    {
        _c = model.Config;
        var w = model.Weights;
        _embedding = w.TokenEmbedding.ToFloat();
        _finalNorm = w.FinalNorm.ToFloat();
        _output = w.Output.ToFloat();
        _layers = w.Layers.Select(l => new LayerF32(l.AttnNorm.ToFloat(), l.Wq.ToFloat(), l.Wk.ToFloat(), l.Wv.ToFloat(),
            l.Wo.ToFloat(), l.FfnNorm.ToFloat(), l.Gate.ToFloat(), l.Up.ToFloat(), l.Down.ToFloat(),
            l.Bq?.ToFloat(), l.Bk?.ToFloat(), l.Bv?.ToFloat())).ToArray();
    }

    /// <summary>Runs token <paramref name="token"/> at position <paramref name="pos"/> of sequence <paramref name="seq"/>; positions must come in order.</summary>
    public float[] Forward(int seq, int token, int pos)
    {
        var c = _c;
        int dim = c.Dim, hd = c.HeadDim, kvDim = c.KvDim, group = c.Heads / c.KvHeads;
        if (!_cache.TryGetValue(seq, out var kv))
        {
            kv = (new float[c.Layers][], new float[c.Layers][]);
            for (var l = 0; l < c.Layers; l++)
            {
                kv.K[l] = new float[c.ContextLength * kvDim];
                kv.V[l] = new float[c.ContextLength * kvDim];
            }
            _cache[seq] = kv;
        }

        var x = _embedding.AsSpan(token * dim, dim).ToArray();
        for (var l = 0; l < c.Layers; l++)
        {
            var w = _layers[l];
            var xb = RmsNorm(x, w.AttnNorm);
            var q = MatVec(w.Wq, xb, dim, w.Bq);
            var k = MatVec(w.Wk, xb, kvDim, w.Bk);
            var v = MatVec(w.Wv, xb, kvDim, w.Bv);
            Rope(q, pos);
            Rope(k, pos);
            Array.Copy(k, 0, kv.K[l], pos * kvDim, kvDim);
            Array.Copy(v, 0, kv.V[l], pos * kvDim, kvDim);

            var att = new float[dim];
            for (var h = 0; h < c.Heads; h++)
            {
                var kvh = h / group;
                var scores = new float[pos + 1];
                for (var t = 0; t <= pos; t++)
                {
                    var s = 0f;
                    for (var i = 0; i < hd; i++) s += q[h * hd + i] * kv.K[l][t * kvDim + kvh * hd + i];
                    scores[t] = s / MathF.Sqrt(hd);
                }
                Softmax(scores);
                for (var t = 0; t <= pos; t++)
                    for (var i = 0; i < hd; i++) att[h * hd + i] += scores[t] * kv.V[l][t * kvDim + kvh * hd + i];
            }
            var o = MatVec(w.Wo, att, dim, null);
            for (var i = 0; i < dim; i++) x[i] += o[i];

            xb = RmsNorm(x, w.FfnNorm);
            var g = MatVec(w.Gate, xb, c.HiddenDim, null);
            var u = MatVec(w.Up, xb, c.HiddenDim, null);
            for (var i = 0; i < c.HiddenDim; i++) g[i] = g[i] / (1f + MathF.Exp(-g[i])) * u[i];
            var d = MatVec(w.Down, g, dim, null);
            for (var i = 0; i < dim; i++) x[i] += d[i];
        }
        return MatVec(_output, RmsNorm(x, _finalNorm), c.VocabSize, null);
    }

    private float[] RmsNorm(float[] x, float[] weight)
    {
        var ss = 0f;
        foreach (var v in x) ss += v * v;
        var scale = 1f / MathF.Sqrt(ss / x.Length + _c.RmsEps);
        return x.Select((v, i) => v * scale * weight[i]).ToArray();
    }

    private static float[] MatVec(float[] w, float[] x, int rows, float[]? bias)
    {
        var y = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var s = 0f;
            for (var k = 0; k < x.Length; k++) s += w[r * x.Length + k] * x[k];
            y[r] = s + (bias?[r] ?? 0f);
        }
        return y;
    }

    private void Rope(float[] vec, int pos)
    {
        var hd = _c.HeadDim;
        var rot = _c.RotaryDim;
        for (var h = 0; h < vec.Length / hd; h++)
            for (var j = 0; j < rot / 2; j++)
            {
                var freq = 1.0 / Math.Pow(_c.RopeTheta, 2.0 * j / rot);
                var angle = pos * freq;
                var (cos, sin) = ((float)Math.Cos(angle), (float)Math.Sin(angle));
                var (a, b) = _c.RopeStyle == RopeStyle.Interleaved ? (2 * j, 2 * j + 1) : (j, j + rot / 2);
                var (x0, x1) = (vec[h * hd + a], vec[h * hd + b]);
                vec[h * hd + a] = x0 * cos - x1 * sin;
                vec[h * hd + b] = x0 * sin + x1 * cos;
            }
    }

    private static void Softmax(float[] x)
    {
        var max = x.Max();
        var sum = 0f;
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp(x[i] - max);
            sum += x[i];
        }
        for (var i = 0; i < x.Length; i++) x[i] /= sum;
    }
}
