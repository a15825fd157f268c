namespace Grid.Grains;

/// <summary>What a router needs to place a request; <see cref="Exclude"/> lists GPUs that just failed it.</summary>
[GenerateSerializer, Immutable, Alias("grid.PlaceRequest")]
public sealed record PlaceRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] int PromptTokens,
    [property: Id(2)] string[] Exclude);
