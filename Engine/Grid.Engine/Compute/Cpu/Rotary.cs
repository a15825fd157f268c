using Grid.Engine.Models;

namespace Grid.Engine.Compute.Cpu;

/// <summary>
/// Rotary position embedding. The angles of a step's positions are computed once per step into
/// cos/sin tables and shared by every layer and head.
/// </summary>
internal sealed unsafe class Rotary
{
    private readonly double[] _frequencies;
    private readonly int _headDim;
    private readonly RopeStyle _style;
    private readonly float[] _cos;
    private readonly float[] _sin;

    public Rotary(ModelConfig config, int maxTokens)
    {
        _headDim = config.HeadDim;
        _style = config.RopeStyle;
        var pairs = config.RotaryDim / 2;
        _frequencies = new double[pairs];
        for (var j = 0; j < pairs; j++) _frequencies[j] = Math.Pow(config.RopeTheta, -2.0 * j / config.RotaryDim);
        _cos = new float[maxTokens * pairs];
        _sin = new float[maxTokens * pairs];
    }

    private int Pairs => _frequencies.Length;

    public void Prepare(ReadOnlySpan<int> positions)
    {
        for (var t = 0; t < positions.Length; t++)
            for (var j = 0; j < Pairs; j++)
            {
                var angle = positions[t] * _frequencies[j];
                _cos[t * Pairs + j] = (float)Math.Cos(angle);
                _sin[t * Pairs + j] = (float)Math.Sin(angle);
            }
    }

    /// <summary>Rotates <paramref name="heads"/> consecutive heads of token <paramref name="t"/> in place.</summary>
    public void Apply(float* vec, int heads, int t)
    {
        fixed (float* cos = &_cos[t * Pairs], sin = &_sin[t * Pairs])
        {
            for (var h = 0; h < heads; h++)
            {
                var v = vec + h * _headDim;
                for (var j = 0; j < Pairs; j++)
                {
                    // Interleaved rotates (2j, 2j+1); NeoX rotates (j, j + rotaryDim/2).
                    var (a, b) = _style == RopeStyle.Interleaved ? (2 * j, 2 * j + 1) : (j, j + Pairs);
                    var x0 = v[a];
                    var x1 = v[b];
                    v[a] = x0 * cos[j] - x1 * sin[j];
                    v[b] = x0 * sin[j] + x1 * cos[j];
                }
            }
        }
    }
}
