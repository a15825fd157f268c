using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Grid.Api.Http;

/// <summary>Bearer-token check for /v1 when keys are configured.</summary>
internal static class ApiKeyCheck
{
    public static void Require(HttpContext ctx, OpenAiApiOptions options)
    {
        if (options.ApiKeys.Count == 0) return;
        var header = ctx.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            throw new ApiException(401, "You didn't provide an API key: send it as 'Authorization: Bearer KEY'", null, "invalid_api_key");
        var given = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        // Fixed-time comparison, so response timing says nothing about how much of a key was right.
        if (!options.ApiKeys.Any(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k), given)))
            throw new ApiException(401, "Incorrect API key provided", null, "invalid_api_key");
    }
}
