using System.Text.Json;
using Grid.Api;
using Grid.Api.OpenAi;
using Grid.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Admin;

/// <summary>
/// The admin API of docs/admin-api.md over the grid's grains: GET /admin/api/cluster answers the cluster view grain's
/// snapshot, and the actions (drain, cancel, evict, migrate) are grain messages. JSON names are camelCase.
/// </summary>
public static class AdminEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Reads and validates Grid:AdminKeys, guards /admin and /orleans with the admin key check (<see cref="AdminAuth.Guard"/>,
    /// login at GET /admin?key=) and maps /admin/api/*. Call it right after building the app, before anything that serves
    /// /admin or /orleans as middleware, so the check runs first.
    /// </summary>
    public static WebApplication MapGridAdmin(this WebApplication app)
    {
        var auth = AdminAuth.From(app.Configuration);
        app.Use(auth.Guard);
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Grid.Admin");
        var view = grains.GetGrain<IClusterViewGrain>(IClusterViewGrain.Key);
        var api = app.MapGroup("/admin/api");

        api.MapGet("/cluster", ctx => Guarded(ctx, log, async () => await view.Snapshot()));
        api.MapPost("/silos/{node}/drain", ctx => Guarded(ctx, log, async () =>
        {
            var node = Route(ctx, "node");
            return await view.Drain(node) ? Ok : throw NotFound($"no live silo or GPU is grid node '{node}'");
        }));
        api.MapPost("/requests/{id}/cancel", ctx => Guarded(ctx, log, async () =>
        {
            var request = await KnownRequest(grains, Route(ctx, "id"));
            await request.Cancel();
            return Ok;
        }));
        // A GPU key is "node/ordinal": sent with its slash as two segments, or as one with the slash encoded (%2F).
        api.MapPost("/gpus/{node}/{ordinal}/evict", ctx => Guarded(ctx, log, async () => await Evict(grains, view, $"{Route(ctx, "node")}/{Route(ctx, "ordinal")}")));
        api.MapPost("/gpus/{key}/evict", ctx => Guarded(ctx, log, async () => await Evict(grains, view, Route(ctx, "key"))));
        api.MapPost("/requests/{id}/migrate", ctx => Guarded(ctx, log, async () =>
        {
            var request = await KnownRequest(grains, Route(ctx, "id"));
            var body = await MigrateBody(ctx);
            return new { gpu = await request.Migrate(body?.Gpu) };
        }));
        return app;
    }

    /// <summary>Lets only admins (Grid:AdminKeys) call the endpoints: for route handlers (minimal APIs) outside /admin and /orleans, which the middleware guards already.</summary>
    public static TBuilder RequireGridAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var auth = AdminAuth.From(context.ApplicationServices.GetRequiredService<IConfiguration>());
            return async invocation =>
            {
                if (auth.Allows(invocation.HttpContext)) return await next(invocation);
                await AdminAuth.Refuse(invocation.HttpContext, "You didn't provide an admin key: send it as 'Authorization: Bearer KEY', or log in at /admin?key=KEY");
                return Results.Empty;
            };
        });

    private static readonly object Ok = new { ok = true };

    private sealed record MigrateRequest(string? Gpu);

    private static async Task<object> Evict(IGrainFactory grains, IClusterViewGrain view, string key)
    {
        if (!(await view.Snapshot()).Gpus.Any(g => g.Key == key)) throw NotFound($"no GPU '{key}' reports to the cluster view");
        return new { evicted = await grains.GetGrain<IGpuGrain>(key).Evict() };
    }

    /// <summary>The request grain, if a request with this id was ever submitted (an unknown id gets 404).</summary>
    private static async Task<IRequestGrain> KnownRequest(IGrainFactory grains, string id)
    {
        var request = grains.GetGrain<IRequestGrain>(id);
        if ((await request.Status()).Phase == RequestPhase.None) throw NotFound($"no request '{id}'");
        return request;
    }

    private static async Task<MigrateRequest?> MigrateBody(HttpContext ctx)
    {
        if (ctx.Request.ContentLength == 0 || (ctx.Request.ContentLength is null && !ctx.Request.Headers.TransferEncoding.Any())) return null;
        try
        {
            return await JsonSerializer.DeserializeAsync<MigrateRequest>(ctx.Request.Body, Json, ctx.RequestAborted);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body must be empty or {{\"gpu\": \"node/ordinal\"}}: {e.Message}", "gpu", "invalid_json");
        }
    }

    // Kestrel leaves %2F encoded in the path, so a route value can still hold it.
    private static string Route(HttpContext ctx, string name) => Uri.UnescapeDataString((string)ctx.Request.RouteValues[name]!);

    private static ApiException NotFound(string message) => new(404, message, null, "not_found");

    /// <summary>Writes the answer as JSON, or the failure as an OpenAI-style error: a state conflict 409, a bad argument 400.</summary>
    private static async Task Guarded(HttpContext ctx, ILogger log, Func<Task<object>> handle)
    {
        ApiException error;
        try
        {
            var result = await handle();
            ctx.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(ctx.Response.Body, result, result.GetType(), Json, ctx.RequestAborted);
            return;
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (ApiException e)
        {
            error = e;
        }
        catch (ArgumentException e)
        {
            error = ApiException.BadRequest(e.Message, null);
        }
        catch (InvalidOperationException e)
        {
            error = new ApiException(409, e.Message, null, "conflict");
        }
        catch (Exception e)
        {
            log.LogError(e, "admin request {Path} failed", ctx.Request.Path);
            error = new ApiException(500, $"internal error: {e.Message}", null, "internal_error", "server_error");
        }
        ctx.Response.StatusCode = error.StatusCode;
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, ErrorResponse.From(error), OpenAiJson.Options, ctx.RequestAborted);
    }
}
