namespace Grid.Grains;

/// <summary>Where a request stands: its phase, tokens generated so far, the GPU it runs on, and how it ended.</summary>
[GenerateSerializer, Immutable, Alias("grid.RequestStatus")]
public sealed record RequestStatus(
    [property: Id(0)] RequestPhase Phase,
    [property: Id(1)] int GeneratedTokens,
    [property: Id(2)] string? Gpu,
    [property: Id(3)] GenerationFinish? Finish,
    [property: Id(4)] string? Error,
    [property: Id(5)] int Admissions);
