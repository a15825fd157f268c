namespace Grid.Bench;

/// <summary>One row of the benchmark: a prefill of <see cref="PromptTokens"/> tokens (no sequences), or
/// <see cref="Sequences"/> sequences decoding together.</summary>
public sealed record Workload(string Name, int PromptTokens, int Sequences, int Tokens)
{
    public const int PrefillTokens = 512;
    public const int DecodePromptTokens = 8;

    public bool IsPrefill => Sequences == 0;

    public static IReadOnlyList<Workload> Standard(int decodeTokens) =>
    [
        new($"prefill-{PrefillTokens}", PrefillTokens, 0, 0),
        new("decode-1", DecodePromptTokens, 1, decodeTokens),
        new("decode-8", DecodePromptTokens, 8, decodeTokens),
        new("decode-32", DecodePromptTokens, 32, decodeTokens),
    ];

    /// <summary>One repetition on <paramref name="engine"/>: tokens processed and the time they took.</summary>
    public (long Tokens, TimeSpan Time) RunOnce(IBenchEngine engine, int[] prompt) => IsPrefill
        ? (PromptTokens, engine.Prefill(prompt))
        : ((long)Sequences * Tokens, engine.Decode(prompt, Sequences, Tokens));
}
