using System.Text.Json.Serialization;

namespace Grid.Api.OpenAi;

/// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record ErrorResponse(ErrorDetail Error)
{
    public static ErrorResponse From(ApiException e) => new(new ErrorDetail(e.Message, e.Type, e.Param, e.Code));
}

public sealed record ErrorDetail(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);
