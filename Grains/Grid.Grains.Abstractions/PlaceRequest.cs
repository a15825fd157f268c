namespace Grid.Grains;

/// <summary>
/// What a router needs to place a request: its tokens so far (prompt, then any generated before a
/// re-admission), which the router hashes block by block to find GPUs that cache a prefix of them, and
/// <see cref="Exclude"/>, GPUs that just failed it. The router is a local stateless worker and the record is
/// immutable, so the tokens are not copied.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.PlaceRequest")]
public sealed record PlaceRequest(
    [property: Id(0)] string RequestId,
    [property: Id(3)] int[] Tokens,
    [property: Id(2)] string[] Exclude);
