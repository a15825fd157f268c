namespace Grid.Grains;

/// <summary>
/// A request as a GPU grain takes it: prompt plus the tokens generated so far (recomputed, not drawn
/// again), the options and the request's fixed seed, so a re-admission elsewhere continues with the
/// same tokens. <see cref="Admission"/> counts admissions; the GPU echoes it in each <see cref="TokenBatch"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.AdmitRequest")]
public sealed record AdmitRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] int[] PromptTokens,
    [property: Id(2)] int[] GeneratedTokens,
    [property: Id(3)] GenerationOptions Options,
    [property: Id(4)] ulong Seed,
    [property: Id(5)] int Priority,
    [property: Id(6)] int Admission);
