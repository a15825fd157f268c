using Grid.Api.Generation;
using Grid.Api.Http;
using Grid.Api.OpenAi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Api;

/// <summary>Maps the OpenAI-compatible API and the health probes onto a host.</summary>
public static class OpenAiEndpoints
{
    /// <summary>
    /// POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health/live and /health/ready.
    /// </summary>
    /// <param name="service">What generates; null takes the <see cref="IGenerationService"/> registered in DI.</param>
    /// <param name="options">API keys and limits; null takes the registered <see cref="OpenAiApiOptions"/>, else defaults.</param>
    public static IEndpointRouteBuilder MapGridOpenAi(this IEndpointRouteBuilder endpoints, IGenerationService? service = null, OpenAiApiOptions? options = null)
    {
        var sp = endpoints.ServiceProvider;
        service ??= sp.GetRequiredService<IGenerationService>();
        options ??= sp.GetService<OpenAiApiOptions>() ?? new OpenAiApiOptions();
        options.Validate();
        var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Grid.Api") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        var chat = new ChatCompletionsEndpoint(service, options);
        var completions = new CompletionsEndpoint(service, options);
        endpoints.MapPost("/v1/chat/completions", ctx => Guarded(ctx, logger, chat.Handle));
        endpoints.MapPost("/v1/completions", ctx => Guarded(ctx, logger, completions.Handle));
        endpoints.MapGet("/v1/models", ctx => Guarded(ctx, logger, c =>
        {
            ApiKeyCheck.Require(c, options);
            var list = new ModelList(service.Models.Select(m => new ModelObject(m.Id, m.Created.ToUnixTimeSeconds(), m.OwnedBy)).ToArray());
            return HttpIo.WriteJson(c, list);
        }));
        endpoints.MapGet("/health/live", ctx => ctx.Response.WriteAsync("ok"));
        endpoints.MapGet("/health/ready", ctx =>
        {
            ctx.Response.StatusCode = service.IsReady ? 200 : 503;
            return ctx.Response.WriteAsync(service.IsReady ? "ready" : "not ready");
        });
        return endpoints;
    }

    private static async Task Guarded(HttpContext ctx, ILogger logger, Func<HttpContext, Task> handle)
    {
        try
        {
            await handle(ctx);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client left; the generation was aborted on the way out and there is no one to answer.
        }
        catch (ApiException e)
        {
            await Fail(ctx, e);
        }
        catch (Exception e) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "request {Path} failed", ctx.Request.Path);
            await Fail(ctx, new ApiException(500, $"internal error: {e.Message}", null, "internal_error", "server_error"));
        }
    }

    private static async Task Fail(HttpContext ctx, ApiException e)
    {
        // Once a stream has begun the status is sent; the error then travels as one more event.
        if (ctx.Response.HasStarted) await HttpIo.WriteEvent(ctx, ErrorResponse.From(e));
        else await HttpIo.WriteError(ctx, e);
    }
}
