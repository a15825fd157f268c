using System.Diagnostics.Metrics;
using Grid.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Grid.Silo.Hosting;

/// <summary>
/// The silo's metrics: the OpenTelemetry SDK over the grid's meter (<see cref="GridMetrics"/>) and, unless turned off,
/// the host's own meters; a Prometheus scrape endpoint at /metrics, open like the health probes (operators' scrapers
/// carry no keys, and the series hold no prompts or request ids); OTLP export when configured.
/// </summary>
public static class Telemetry
{
    public const string ScrapePath = "/metrics";
    private const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The meters <see cref="GridTelemetryOptions.HostMetrics"/> adds: built into .NET, ASP.NET Core and Orleans.</summary>
    private static readonly string[] HostMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", "Microsoft.Orleans"];

    /// <summary>Reads and validates the settings (a bad one throws naming it), then adds the SDK and the scrape endpoint.</summary>
    /// <param name="node">This silo's node name: the service instance in the exported resource.</param>
    public static void Add(WebApplicationBuilder builder, string node)
    {
        var options = Settings.Read<GridTelemetryOptions>(builder.Configuration);
        options.Validate();
        // Grid:OtlpEndpoint stands for the standard setting, so the exporter treats it alike (for http/protobuf it adds
        // /v1/metrics), and the other OTEL_EXPORTER_OTLP_* settings (protocol, headers) and OTEL_METRIC_EXPORT_INTERVAL apply.
        if (!string.IsNullOrEmpty(options.OtlpEndpoint)) builder.Configuration[OtlpEndpointKey] = options.OtlpEndpoint;
        var otlp = !string.IsNullOrEmpty(builder.Configuration[OtlpEndpointKey]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("grid", serviceInstanceId: node))
            .WithMetrics(metrics =>
            {
                // The SDK listens by meter name, process-wide. Another host in this process (tests; two silos in one
                // process) has meters of the same names from its own IMeterFactory: their series would mix with ours,
                // and when that host stopped, the streams our instruments shared with its went too. Only ours, then.
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, b) =>
                {
                    var ours = services.GetRequiredService<IMeterFactory>();
                    b.AddView(i => i.Meter.Scope is IMeterFactory f && f != ours ? MetricStreamConfiguration.Drop : null);
                });
                metrics.AddMeter(GridMetrics.MeterName);
                if (options.HostMetrics) metrics.AddMeter(HostMeters);
                metrics.AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        // Served ahead of the app's own pipeline, so the host needs no second call after Build.
        builder.Services.AddSingleton<IStartupFilter, ScrapeEndpoint>();
    }

    private sealed class ScrapeEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(ScrapePath);
            next(app);
        };
    }
}
