namespace Grid.Engine.Sampling;

/// <summary>
/// The uniform number for a draw as a pure function of (seed, position), never a running generator, so a
/// request recomputed from any point (after preemption or on another GPU) draws the same tokens.
/// </summary>
internal static class SampleRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>A double in [0, 1): SplitMix64's finaliser over seed ^ position * golden ratio.</summary>
    public static double Uniform(ulong seed, int position)
    {
        var z = (seed ^ ((ulong)(uint)position * Golden)) + Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
