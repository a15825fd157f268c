using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Client;

public static class GridClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="GridChatClient"/> as the <see cref="IChatClient"/>. The service provider must
    /// hold an Orleans client (<c>UseOrleansClient</c>) or be a silo's; the returned builder adds middleware
    /// (logging, telemetry, caching) from Microsoft.Extensions.AI.
    /// </summary>
    public static ChatClientBuilder AddGridChatClient(this IServiceCollection services, Action<GridChatClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new GridChatClientOptions();
        configure(options);
        options.Validate();
        return services.AddChatClient(sp => new GridChatClient(sp.GetRequiredService<IGrainFactory>(), options));
    }
}
