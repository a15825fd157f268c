using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Dashboard;

namespace Grid.Silo.Admin;

/// <summary>
/// The admin dashboard's page: GET /admin serves the page, /admin/assets/* its CSS and script (embedded in this
/// assembly, so the page works offline and needs no build step); Orleans' own dashboard is mounted at /orleans.
/// The page reads and steers the grid only through the admin JSON API (docs/admin-api.md).
/// </summary>
public static class AdminPage
{
    private const string ResourcePrefix = "GridAdmin/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>Orleans' dashboard services on the silo (its grain-call profiler and counters).</summary>
    public static ISiloBuilder AddGridAdmin(this ISiloBuilder silo) => silo.AddDashboard();

    /// <summary>Maps /admin, /admin/assets/* and Orleans' dashboard at /orleans.</summary>
    public static IEndpointRouteBuilder MapGridAdminPage(this IEndpointRouteBuilder endpoints)
    {
        // Routing matches "/admin/" here too.
        endpoints.MapGet("/admin", ctx => Serve(ctx, "index.html"));
        endpoints.MapGet("/admin/assets/{name}", ctx => Serve(ctx, (string)ctx.Request.RouteValues["name"]!));
        endpoints.MapOrleansDashboard(routePrefix: "/orleans");
        return endpoints;
    }

    private static async Task Serve(HttpContext ctx, string name)
    {
        var assembly = typeof(AdminPage).Assembly;
        await using var stream = ContentTypes.TryGetValue(Path.GetExtension(name), out var type)
            ? assembly.GetManifestResourceStream(ResourcePrefix + name)
            : null;
        if (stream is null)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        ctx.Response.ContentType = type;
        // The page is small and changes with the binary; revalidating each load keeps it fresh after an upgrade.
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
        ctx.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }
}
