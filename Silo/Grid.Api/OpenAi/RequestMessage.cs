using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>One message of a chat request; content may arrive as a string or as text parts.</summary>
public sealed class RequestMessage
{
    public string? Role { get; set; }

    [JsonConverter(typeof(MessageContentConverter))]
    public string? Content { get; set; }
}
