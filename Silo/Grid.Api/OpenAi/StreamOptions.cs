namespace Grid.Api.OpenAi;

/// <summary>stream_options: include_usage asks for a last chunk with no choices and the token counts.</summary>
public sealed class StreamOptions
{
    public bool? IncludeUsage { get; set; }
}
