using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>
/// Reads a message's content, a string or an array of content parts, as one string: the text parts
/// joined. Other part types (images, audio) are refused, since no served model can read them.
/// </summary>
public sealed class MessageContentConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("content must be a string or an array of content parts");
        var sb = new StringBuilder();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            using var part = JsonDocument.ParseValue(ref reader);
            var p = part.RootElement;
            var type = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type != "text" || !p.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw new JsonException($"content part of type '{type}' is not supported; only text parts are");
            sb.Append(text.GetString());
        }
        return sb.ToString();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
