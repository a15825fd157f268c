namespace Grid.Api;

/// <summary>Settings of the OpenAI-compatible API.</summary>
public sealed record OpenAiApiOptions
{
    /// <summary>Bearer tokens accepted on /v1; empty leaves the API open (health endpoints always are).</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>The most choices (n) one request may ask for; each runs as its own generation.</summary>
    public int MaxChoices { get; init; } = 8;

    public void Validate()
    {
        if (MaxChoices < 1) throw new ArgumentException($"{nameof(MaxChoices)} must be >= 1, not {MaxChoices}");
        if (ApiKeys.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"{nameof(ApiKeys)} must not hold empty keys");
    }
}
