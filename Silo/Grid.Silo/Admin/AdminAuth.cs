using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grid.Api;
using Grid.Api.OpenAi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Grid.Silo.Admin;

/// <summary>
/// The admin key check (docs/admin-api.md): with keys configured, every request under /admin and /orleans needs one, as
/// <c>Authorization: Bearer KEY</c> or as the <see cref="CookieName"/> cookie that <c>GET /admin?key=KEY</c> sets before
/// redirecting to /admin; otherwise 401 with an OpenAI-style error body. Without keys everything passes.
/// The cookie holds a digest of the key, not the key, and is the same on every silo with the same keys.
/// </summary>
public sealed class AdminAuth
{
    public const string CookieName = "grid_admin";

    private readonly byte[][] _keys;
    private readonly byte[][] _cookies;

    public AdminAuth(IReadOnlyList<string> keys)
    {
        _keys = keys.Select(k => Encoding.UTF8.GetBytes(k)).ToArray();
        _cookies = keys.Select(k => Encoding.ASCII.GetBytes(CookieValue(k))).ToArray();
    }

    /// <summary>No keys configured: the admin pages are open.</summary>
    public bool Open => _keys.Length == 0;

    /// <summary>The admin check of a host: its Grid:AdminKeys, validated.</summary>
    public static AdminAuth From(IConfiguration configuration) => new(GridAdminOptions.Read(configuration).AdminKeys);

    /// <summary>Whether the path is one the check guards: /admin and /orleans, and everything under them.</summary>
    public static bool Guards(PathString path) => path.StartsWithSegments("/admin") || path.StartsWithSegments("/orleans");

    /// <summary>Whether the request carries a configured key (Bearer) or the login cookie; always true when the pages are open.</summary>
    public bool Allows(HttpContext ctx)
    {
        if (Open) return true;
        var header = ctx.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && Matches(_keys, Encoding.UTF8.GetBytes(header[scheme.Length..].Trim())))
            return true;
        return ctx.Request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(_cookies, Encoding.UTF8.GetBytes(cookie));
    }

    /// <summary>
    /// Middleware for a host's pipeline: <c>GET /admin?key=</c> logs in (cookie, then a redirect to /admin), and any other
    /// request under /admin or /orleans without a key gets 401. Add it before whatever serves those paths.
    /// </summary>
    public async Task Guard(HttpContext ctx, RequestDelegate next)
    {
        if (Open || !Guards(ctx.Request.Path))
        {
            await next(ctx);
            return;
        }
        if (HttpMethods.IsGet(ctx.Request.Method) && ctx.Request.Path.Value?.TrimEnd('/') == "/admin" && ctx.Request.Query.TryGetValue("key", out var key))
        {
            await Login(ctx, key.ToString());
            return;
        }
        if (Allows(ctx))
        {
            await next(ctx);
            return;
        }
        await Refuse(ctx, "You didn't provide an admin key: send it as 'Authorization: Bearer KEY', or log in at /admin?key=KEY");
    }

    private async Task Login(HttpContext ctx, string key)
    {
        if (!Matches(_keys, Encoding.UTF8.GetBytes(key)))
        {
            await Refuse(ctx, "Incorrect admin key provided");
            return;
        }
        ctx.Response.Cookies.Append(CookieName, CookieValue(key), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = ctx.Request.IsHttps,
            Path = "/",
        });
        // Off the address bar and out of the history: the key was in the query.
        ctx.Response.Redirect(ctx.Request.PathBase + "/admin");
    }

    /// <summary>401 with the OpenAI error body, code "invalid_admin_key".</summary>
    public static Task Refuse(HttpContext ctx, string message)
    {
        var error = new ApiException(401, message, null, "invalid_admin_key");
        ctx.Response.StatusCode = error.StatusCode;
        ctx.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(ctx.Response.Body, ErrorResponse.From(error), OpenAiJson.Options, ctx.RequestAborted);
    }

    /// <summary>What the login cookie holds for a key: HMAC-SHA256 of the cookie's name under the key, in hex.</summary>
    public static string CookieValue(string key) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(CookieName)));

    // Fixed-time comparison, so response timing says nothing about how much of a key was right.
    private static bool Matches(byte[][] accepted, byte[] given)
    {
        var match = false;
        foreach (var k in accepted) match |= CryptographicOperations.FixedTimeEquals(k, given);
        return match;
    }
}
