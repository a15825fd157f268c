namespace Grid.Grains.Tests;

/// <summary>Long prompts for prefix-cache tests: reproducible token ids of stories260K's vocabulary, past its special ids.</summary>
public static class Prompts
{
    public static int[] Long(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.Next(3, 512)).ToArray();
    }
}
