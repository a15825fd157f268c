namespace Grid.Api;

/// <summary>
/// A request the API refuses, with what the OpenAI error body carries: an HTTP status, a message
/// for people, the request field at fault and a stable code for programs.
/// </summary>
public sealed class ApiException(int statusCode, string message, string? param = null, string? code = null, string type = "invalid_request_error")
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    public string Type { get; } = type;

    public static ApiException BadRequest(string message, string? param, string code = "invalid_value") => new(400, message, param, code);
}
