namespace Grid.Grains;

/// <summary>A draining GPU refused an admission: not the request's fault, so its request grain places it on another GPU.</summary>
[GenerateSerializer, Alias("grid.GpuDrainingException")]
public sealed class GpuDrainingException : Exception
{
    public GpuDrainingException()
    {
    }

    public GpuDrainingException(string message)
        : base(message)
    {
    }

    public GpuDrainingException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
