using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>The API's JSON settings: snake_case names as OpenAI documents them, nulls left out unless a field says otherwise.</summary>
public static class OpenAiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };
}
