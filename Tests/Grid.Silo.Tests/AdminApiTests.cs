using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Silo.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Silo.Tests;

/// <summary>The admin API of docs/admin-api.md in front of in-process grid clusters: the admin key check, the cluster snapshot, the actions.</summary>
public sealed class AdminApiTests
{
    private const string Key = "admin-s3cret";
    private const string OtherKey = "second-key";

    [SkippableFact]
    public async Task With_admin_keys_set_the_admin_paths_need_one_as_bearer_or_login_cookie()
    {
        await using var grid = await GridCluster.Start(1, configure: Fast);
        await using var app = await Serve(grid, Key, OtherKey);
        using var http = Client(app);

        await Refused(http, HttpMethod.Get, "/admin/api/cluster", null);
        await Refused(http, HttpMethod.Get, "/admin/api/cluster", "wrong");
        await Refused(http, HttpMethod.Post, "/admin/api/requests/any/cancel", null);
        await Refused(http, HttpMethod.Get, "/admin", null);
        await Refused(http, HttpMethod.Get, "/orleans", null);
        await Refused(http, HttpMethod.Get, "/admin?key=wrong", null);
        (await Send(http, HttpMethod.Get, "/orleans", Key)).StatusCode.Should().Be(HttpStatusCode.NotFound, "the key opens it; nothing is served there in this test");

        var login = await Send(http, HttpMethod.Get, $"/admin?key={OtherKey}", null);
        login.StatusCode.Should().Be(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().Should().Be("/admin");
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        cookie.Should().StartWith($"{AdminAuth.CookieName}=").And.ContainEquivalentOf("httponly").And.ContainEquivalentOf("samesite=strict");
        cookie.Should().NotContain(OtherKey, "the cookie holds a digest of the key");
        var withCookie = new HttpRequestMessage(HttpMethod.Get, "/admin/api/cluster");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        (await http.SendAsync(withCookie)).StatusCode.Should().Be(HttpStatusCode.OK);

        JsonElement snapshot = default;
        await grid.WaitFor(async () =>
        {
            var reply = await Send(http, HttpMethod.Get, "/admin/api/cluster", Key);
            reply.StatusCode.Should().Be(HttpStatusCode.OK);
            snapshot = await reply.Content.ReadFromJsonAsync<JsonElement>();
            return snapshot.GetProperty("gpus").GetArrayLength() == 1;
        }, "the GPU reports to the cluster view");
        Names(snapshot).Should().BeEquivalentTo("at", "silos", "gpus", "requests", "totals");
        DateTimeOffset.Parse(snapshot.GetProperty("at").GetString()!).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        var silo = snapshot.GetProperty("silos")[0];
        Names(silo).Should().BeEquivalentTo("address", "node", "status", "draining");
        silo.GetProperty("node").GetString().Should().Be(grid.Cluster.Silos[0].Name);
        silo.GetProperty("status").GetString().Should().Be("Active");
        var gpu = snapshot.GetProperty("gpus")[0];
        Names(gpu).Should().BeEquivalentTo("key", "node", "backend", "model", "freeBlocks", "cachedBlocks", "usedBlocks", "totalBlocks",
            "running", "waiting", "tokensPerSecond", "prefixQueryTokens", "prefixHitTokens", "draining");
        gpu.GetProperty("backend").GetString().Should().Be("Cpu");
        gpu.GetProperty("model").GetString().Should().Be(StoriesModel.Id);
        var totals = snapshot.GetProperty("totals");
        Names(totals).Should().BeEquivalentTo("tokensPerSecond", "running", "waiting", "prefixHitRate", "ttftMs", "tpotMs");
        totals.GetProperty("ttftMs").ValueKind.Should().Be(JsonValueKind.Null, "no request finished yet");
    }

    [SkippableFact]
    public async Task Without_admin_keys_the_admin_api_is_open()
    {
        await using var grid = await GridCluster.Start(1, configure: Fast);
        await using var app = await Serve(grid);
        using var http = Client(app);
        (await http.GetAsync("/admin/api/cluster")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Each action over HTTP, on one silo with two slowed Sim GPUs: cancel, migrate (router's pick, then a named GPU), evict, drain; and their refusals.</summary>
    [SkippableFact]
    public async Task The_actions_cancel_migrate_evict_and_drain_through_the_api()
    {
        var prompt = StoriesModel.Greedy()[0].PromptTokens;
        await using var grid = await GridCluster.Start(1, simScale: 500, devices: 2, configure: Fast);
        await using var app = await Serve(grid, Key);
        using var http = Client(app);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var cancelled = grid.Request("http-cancel");
        await cancelled.Submit(Generation.Greedy(prompt, maxTokens: 2000));
        (await Ok(await http.PostAsync("/admin/api/requests/http-cancel/cancel", null))).GetProperty("ok").GetBoolean().Should().BeTrue();
        (await cancelled.Status()).Finish.Should().Be(GenerationFinish.Abort);
        (await Generation.ReadAll(cancelled)).Last.Finish.Should().Be(GenerationFinish.Abort);
        (await http.PostAsync("/admin/api/requests/http-nobody/cancel", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var moved = grid.Request("http-migrate");
        await moved.Submit(Generation.Greedy(prompt, maxTokens: 2000));
        var from = (await moved.Status()).Gpu!;
        var other = (await grid.Registry.List()).Single(g => g != from);
        (await Ok(await http.PostAsync("/admin/api/requests/http-migrate/migrate", null))).GetProperty("gpu").GetString().Should().Be(other);
        (await moved.Status()).Gpu.Should().Be(other);
        (await Ok(await http.PostAsJsonAsync("/admin/api/requests/http-migrate/migrate", new { gpu = from }))).GetProperty("gpu").GetString().Should().Be(from);
        (await http.PostAsJsonAsync("/admin/api/requests/http-migrate/migrate", new { gpu = from })).StatusCode.Should().Be(HttpStatusCode.BadRequest, "it already runs there");
        (await http.PostAsJsonAsync("/admin/api/requests/http-migrate/migrate", new { gpu = "nowhere/0" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await moved.Cancel();
        var late = await http.PostAsync("/admin/api/requests/http-migrate/migrate", null);
        late.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Json(late)).GetProperty("error").GetProperty("message").GetString().Should().Contain("not running");
        (await http.PostAsync("/admin/api/requests/http-nobody/migrate", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var warm = grid.Request("http-warm");
        await warm.Submit(Generation.Greedy(Prompts(6 * 16), maxTokens: 1));
        await Generation.ReadAll(warm);
        var warmed = (await warm.Status()).Gpu!;
        await grid.WaitFor(async () => (await grid.Gpu(warmed).Load()).CachedBlocks > 0, "the prompt's blocks are cached");
        var node = GpuKey.Node(warmed);
        var ordinal = GpuKey.Ordinal(warmed);
        await grid.WaitFor(async () => (await Ok(await http.GetAsync("/admin/api/cluster"))).GetProperty("gpus").GetArrayLength() == 2, "both GPUs report");
        (await Ok(await http.PostAsync($"/admin/api/gpus/{node}/{ordinal}/evict", null))).GetProperty("evicted").GetInt32().Should().BeGreaterThan(0);
        (await grid.Gpu(warmed).Load()).CachedBlocks.Should().Be(0);
        (await Ok(await http.PostAsync($"/admin/api/gpus/{node}%2F{ordinal}/evict", null))).GetProperty("evicted").GetInt32().Should().Be(0, "the slash may come encoded; nothing is left");
        (await http.PostAsync("/admin/api/gpus/nowhere/0/evict", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await http.PostAsync("/admin/api/silos/nowhere/drain", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Ok(await http.PostAsync($"/admin/api/silos/{node}/drain", null))).GetProperty("ok").GetBoolean().Should().BeTrue();
        var snapshot = await Ok(await http.GetAsync("/admin/api/cluster"));
        snapshot.GetProperty("silos")[0].GetProperty("draining").GetBoolean().Should().BeTrue();
        snapshot.GetProperty("gpus").EnumerateArray().Should().OnlyContain(g => g.GetProperty("draining").GetBoolean());
    }

    /// <summary>Reports every 200 ms, so the view fills quickly.</summary>
    private static void Fast(GridSiloOptions o) => o.ClusterReportInterval = TimeSpan.FromMilliseconds(200);

    private static int[] Prompts(int length) => Enumerable.Range(0, length).Select(i => 3 + (i * 37 % 500)).ToArray();

    private static async Task Refused(HttpClient http, HttpMethod method, string path, string? key)
    {
        var reply = await Send(http, method, path, key);
        reply.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"{method} {path} with key '{key}'");
        var error = (await Json(reply)).GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("invalid_admin_key");
        error.GetProperty("message").GetString().Should().NotBeNullOrEmpty();
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }

    /// <summary>The reply's JSON body, after checking it is a 200.</summary>
    private static async Task<JsonElement> Ok(HttpResponseMessage reply)
    {
        var body = await reply.Content.ReadAsStringAsync();
        reply.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage reply) => JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;

    private static IEnumerable<string> Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name);

    private static async Task<WebApplication> Serve(GridCluster grid, params string[] adminKeys)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        for (var i = 0; i < adminKeys.Length; i++) builder.Configuration[$"Grid:AdminKeys:{i}"] = adminKeys[i];
        builder.Services.AddSingleton<IGrainFactory>(grid.Client);
        var app = builder.Build();
        app.MapGridAdmin();
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        };
}
