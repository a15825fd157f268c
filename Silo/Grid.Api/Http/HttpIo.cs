using System.Text.Json;
using Grid.Api.OpenAi;
using Grid.Engine.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Grid.Api.Http;

/// <summary>Reading requests and writing JSON, errors and server-sent events in the API's format.</summary>
internal static class HttpIo
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task<T> ReadJson<T>(HttpContext ctx) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(ctx.Request.Body, OpenAiJson.Options, ctx.RequestAborted)
                ?? throw ApiException.BadRequest("the request body must be a JSON object", null, "invalid_json");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : null;
            throw ApiException.BadRequest($"the request body is not valid JSON for this endpoint: {e.Message}", field, "invalid_json");
        }
    }

    public static Task WriteJson<T>(HttpContext ctx, T value, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(ctx.Response.Body, value, OpenAiJson.Options, ctx.RequestAborted);
    }

    public static Task WriteError(HttpContext ctx, ApiException e) => WriteJson(ctx, ErrorResponse.From(e), e.StatusCode);

    public static async Task StartEvents(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await ctx.Response.StartAsync(ctx.RequestAborted);
    }

    public static async Task WriteEvent<T>(HttpContext ctx, T value)
    {
        var body = ctx.Response.Body;
        await body.WriteAsync("data: "u8.ToArray(), ctx.RequestAborted);
        await JsonSerializer.SerializeAsync(body, value, OpenAiJson.Options, ctx.RequestAborted);
        await body.WriteAsync("\n\n"u8.ToArray(), ctx.RequestAborted);
        await body.FlushAsync(ctx.RequestAborted);
    }

    public static async Task WriteDone(HttpContext ctx)
    {
        await ctx.Response.Body.WriteAsync(Done, ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>OpenAI's words; an abort by an operator reads as "stop", since clients reject unknown values.</summary>
    public static string FinishName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
