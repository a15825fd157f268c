namespace Grid.Cuda;

/// <summary>Grid or block dimensions of a launch; an int converts to a one-dimensional size.</summary>
public readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    public static implicit operator Dim3(int x) => new(checked((uint)x));

    /// <summary>Enough blocks of <paramref name="perBlock"/> threads to cover <paramref name="n"/> items: ceil(n / perBlock).</summary>
    public static Dim3 Cover(long n, int perBlock) => new(checked((uint)((n + perBlock - 1) / perBlock)));
}
