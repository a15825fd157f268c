namespace Grid.Silo.Hosting;

/// <summary>Where the silo's metrics go, from section "Grid". The Prometheus scrape endpoint (/metrics) is always served.</summary>
public sealed record GridTelemetryOptions
{
    /// <summary>
    /// An OTLP collector to push metrics to (grpc by default, as OTEL_EXPORTER_OTLP_PROTOCOL says). Unset: the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT, when set, turns OTLP export on instead; neither means no OTLP export.
    /// </summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>Also export the host's own meters: ASP.NET Core, Kestrel, the .NET runtime and Orleans.</summary>
    public bool HostMetrics { get; init; } = true;

    /// <summary>Throws naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (OtlpEndpoint is { Length: > 0 } e && !(Uri.TryCreate(e, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            throw new ArgumentException($"{GridOptions.Section}:OtlpEndpoint must be an absolute http or https address (got '{e}')");
    }
}
