namespace Grid.Grains;

/// <summary>Grain storage names a silo must provide.</summary>
public static class GridStorage
{
    /// <summary>Request grains' prompts and tokens so far.</summary>
    public const string Requests = "grid-requests";
}
