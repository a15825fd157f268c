using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Admin.Tests;

/// <summary>The silo host as the `grid` executable runs it, on free loopback ports.</summary>
public sealed class AdminHost : IAsyncDisposable
{
    public WebApplication App { get; }
    public Uri BaseAddress { get; }

    private AdminHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
    }

    public static async Task<AdminHost> Start(params string[] args)
    {
        var app = SiloHost.Build([.. args, "--urls", "http://127.0.0.1:0", "--silo-port", "0", "--gateway-port", "0",
            "--Logging:LogLevel:Default", "Warning"], TextWriter.Null);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AdminHost(app, new Uri(address));
    }

    public HttpClient Http(string? bearer = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (bearer is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
