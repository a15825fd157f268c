namespace Grid.Grains;

/// <summary>
/// A GPU grain's load: KV blocks by state, requests running and waiting, and recent generation speed; and whether
/// it is <see cref="Draining"/> (admits nothing new, so routers leave it out).
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.LoadReport")]
public sealed record LoadReport(
    [property: Id(0)] string Gpu,
    [property: Id(1)] int FreeBlocks,
    [property: Id(2)] int CachedBlocks,
    [property: Id(3)] int UsedBlocks,
    [property: Id(4)] int Running,
    [property: Id(5)] int Waiting,
    [property: Id(6)] double TokensPerSecond,
    [property: Id(7)] int Requests)
{
    [Id(8)] public bool Draining { get; init; }
}
