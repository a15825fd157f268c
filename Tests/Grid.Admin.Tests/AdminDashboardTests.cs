using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Grid.Admin.Tests;

/// <summary>
/// The dashboard against a live grid: a silo host with two simulated GPUs, slowed so long requests stay running, an
/// admin key set, a small background load through the API. The browser opens /admin with the key, sees the rows and
/// charts move, and performs each action through the page; each effect is then checked through the APIs.
/// </summary>
public sealed class AdminDashboardTests(AdminDashboardTests.Setup setup) : IClassFixture<AdminDashboardTests.Setup>
{
    private const string Key = "test-admin-key";
    private const string Model = "demo";
    // Long enough that the long requests outlive the test; a short request still ends in about a second.
    private const int LongTokens = 900;

    public sealed class Setup : IAsyncLifetime
    {
        public AdminHost Host { get; private set; } = null!;
        public HttpClient Api { get; private set; } = null!;
        public HttpClient Admin { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await AdminHost.Start("--backend", "sim", "--devices", "2", "--sim-time-scale", "2000", "--admin-key", Key);
            Api = Host.Http();
            Admin = Host.Http(bearer: Key);
        }

        public async Task DisposeAsync()
        {
            Api?.Dispose();
            Admin?.Dispose();
            if (Host is not null) await Host.DisposeAsync();
        }
    }

    private string At(string path) => new Uri(setup.Host.BaseAddress, path).ToString();

    private async Task<JsonElement> Cluster() => await setup.Admin.GetFromJsonAsync<JsonElement>("/admin/api/cluster");

    private static async Task WaitFor(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {seconds} s for: {what}");
            await Task.Delay(100);
        }
    }

    private static IEnumerable<JsonElement> Requests(JsonElement cluster) => cluster.GetProperty("requests").EnumerateArray();

    private static long Sum(JsonElement cluster, string counter) => cluster.GetProperty("gpus").EnumerateArray().Sum(g => g.GetProperty(counter).GetInt64());

    /// <summary>
    /// The GPUs' prefix-cache counters (tokens looked up, tokens found) once the view has the lookups of a request that
    /// finished after <paramref name="queriedBefore"/> was read: the GPUs report about once a second, so wait for the lookups
    /// to count, then for the hits to hold still over a report or two.
    /// </summary>
    private async Task<(long Queried, long Hits)> PrefixCounters(long queriedBefore)
    {
        await WaitFor(async () => Sum(await Cluster(), "prefixQueryTokens") > queriedBefore, "the GPUs report the prompt's prefix lookups");
        var hits = Sum(await Cluster(), "prefixHitTokens");
        while (true)
        {
            await Task.Delay(1500);
            var now = await Cluster();
            if (Sum(now, "prefixHitTokens") == hits) return (Sum(now, "prefixQueryTokens"), hits);
            hits = Sum(now, "prefixHitTokens");
        }
    }

    /// <summary>Starts a long request and finds its id: the one request the cluster view shows that it did not show before.</summary>
    private async Task<(LiveRequest Stream, string Id)> StartLong(string prompt)
    {
        var before = Requests(await Cluster()).Select(r => r.GetProperty("id").GetString()).ToHashSet();
        var stream = LiveRequest.Start(setup.Api, Model, prompt, LongTokens);
        string? id = null;
        await WaitFor(async () =>
        {
            id = Requests(await Cluster()).Select(r => r.GetProperty("id").GetString()).SingleOrDefault(i => !before.Contains(i));
            return id is not null && stream.Tokens > 0;
        }, $"the long request '{prompt}' runs");
        return (stream, id!);
    }

    [Fact]
    public async Task Without_the_admin_key_admin_orleans_and_the_actions_answer_401()
    {
        using var anonymous = setup.Host.Http();
        using var wrong = setup.Host.Http(bearer: "not-the-key");
        foreach (var http in new[] { anonymous, wrong })
        {
            (await http.GetAsync("/admin")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.GetAsync("/admin/assets/admin.js")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.GetAsync("/orleans/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.GetAsync("/admin/api/cluster")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.PostAsync("/admin/api/silos/any/drain", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.PostAsync("/admin/api/requests/req-x/cancel", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.PostAsync("/admin/api/gpus/x%2F0/evict", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await http.PostAsync("/admin/api/requests/req-x/migrate", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        var denied = await anonymous.GetAsync("/admin/api/cluster");
        (await denied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString().Should().NotBeNullOrEmpty();
        // The API keys are a separate matter: none are set, so the API stays open.
        (await anonymous.GetAsync("/v1/models")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await setup.Admin.GetAsync("/admin")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await setup.Admin.GetAsync("/orleans/")).StatusCode.Should().Be(HttpStatusCode.OK);

        // The browser's way in: /admin?key= sets the cookie and sends the browser on to /admin.
        using var login = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = setup.Host.BaseAddress };
        var redirect = await login.GetAsync($"/admin?key={Key}");
        ((int)redirect.StatusCode).Should().BeInRange(300, 399);
        redirect.Headers.Location!.ToString().Should().EndWith("/admin");
        var cookie = redirect.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("grid_admin=", StringComparison.Ordinal));
        cookie.Should().ContainEquivalentOf("httponly").And.ContainEquivalentOf("samesite=strict");
        (await login.GetAsync($"/admin?key=wrong")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/orleans/");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        (await login.SendAsync(withCookie)).StatusCode.Should().Be(HttpStatusCode.OK);

        if (Browser.Missing is not null) return;
        await using var browser = await Browser.Launch();
        var page = await browser.NewPage();
        (await page.GotoAsync(At("/admin")))!.Status.Should().Be(401);
        (await page.GotoAsync(At("/orleans/")))!.Status.Should().Be(401);

        // Logged in, the browser gets Orleans' dashboard at /orleans, linked from /admin, with all it loads.
        var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.Response += (_, r) =>
        {
            if (r.Status >= 400) failed.Add($"{r.Status} {r.Url}");
        };
        await page.GotoAsync(At($"/admin?key={Key}"));
        var data = page.WaitForResponseAsync(r => r.Url.Contains("/orleans/", StringComparison.Ordinal) && r.Request.ResourceType is "fetch" or "xhr");
        await page.Locator("#orleans-link").ClickAsync();
        await page.WaitForURLAsync("**/orleans/");
        (await data).Status.Should().Be(200, "the dashboard's own data calls carry the login cookie too");
        await Expect(page.Locator("#menu a").First).ToBeVisibleAsync();
        failed.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Under_load_the_page_shows_the_grid_and_drains_cancels_evicts_and_migrates()
    {
        Browser.Require();
        // A repeated prompt of many full blocks: the second time it is served from the prefix cache.
        var repeated = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i * 7919 % 1000}"));
        await LiveRequest.Run(setup.Api, Model, repeated, 4);
        var before = await PrefixCounters(0);
        var warm = await LiveRequest.Run(setup.Api, Model, repeated, 4);
        warm.Error.Should().BeNull();
        var cachedHits = (await PrefixCounters(before.Queried)).Hits - before.Hits;
        cachedHits.Should().BeGreaterThan(16, "the repeated prompt's full blocks come from the prefix cache");

        var (a, aId) = await StartLong("the first long request");
        var (b, bId) = await StartLong("the second long request");
        var (c, _) = await StartLong("the third long request");
        await using var trickle = new Trickle(setup.Api, Model, perSecond: 2, maxTokens: 4);
        await using var browser = await Browser.Launch();
        var page = await browser.NewPage();

        // Log in the browser's way, then watch the page follow the grid.
        await page.GotoAsync(At($"/admin?key={Key}"));
        page.Url.Should().EndWith("/admin");
        await Expect(page.Locator("#gpus tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#silos tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#requests tr[data-request='{aId}']")).ToHaveCountAsync(1);
        var aTokens = int.Parse(await page.Locator($"#requests tr[data-request='{aId}']").GetAttributeAsync("data-tokens") ?? "0");
        await page.WaitForFunctionAsync($"() => +document.querySelector(\"#requests tr[data-request='{aId}']\").dataset.tokens > {aTokens}");
        await page.WaitForFunctionAsync("() => +document.getElementById('chart-throughput').dataset.points >= 3");
        await page.WaitForFunctionAsync("() => +document.getElementById('chart-ttft').dataset.points > 0 && +document.getElementById('chart-tpot').dataset.points > 0");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#gpus [data-field=tps]')].some(e => parseFloat(e.textContent) > 0)");
        var points = int.Parse(await page.Locator("#chart-throughput").GetAttributeAsync("data-points") ?? "0");
        await page.WaitForFunctionAsync($"() => +document.getElementById('chart-throughput').dataset.points > {points}");

        // Cancel: the request's stream ends there, short of its tokens (the OpenAI API has no "abort": it says "stop"),
        // its grain says it was aborted, and it leaves the table.
        await page.Locator($"#requests tr[data-request='{aId}'] button[data-action=cancel]").ClickAsync();
        await a.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        a.Error.Should().BeNull();
        a.FinishReason.Should().Be("stop");
        a.CompletionTokens.Should().BeLessThan(LongTokens);
        var grains = setup.Host.App.Services.GetRequiredService<IGrainFactory>();
        (await grains.GetGrain<IRequestGrain>(aId).Status()).Finish.Should().Be(GenerationFinish.Abort);
        await Expect(page.Locator($"#requests tr[data-request='{aId}']")).ToHaveCountAsync(0);

        // Migrate: the request moves to the GPU chosen in the page and goes on generating there.
        var bRow = page.Locator($"#requests tr[data-request='{bId}']");
        var from = await bRow.GetAttributeAsync("data-gpu-key");
        var to = (await page.Locator("#gpus tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.gpu)")).Single(k => k != from);
        await bRow.Locator("select[data-role=migrate-target]").SelectOptionAsync(to);
        await bRow.Locator("button[data-action=migrate]").ClickAsync();
        await Expect(bRow.Locator("[data-field=gpu]")).ToHaveTextAsync(to);
        var bTokens = b.Tokens;
        await WaitFor(() => Task.FromResult(b.Tokens > bTokens + 3), "the migrated request streams on");
        b.Finished.IsCompleted.Should().BeFalse();
        Requests(await Cluster()).Single(r => r.GetProperty("id").GetString() == bId).GetProperty("gpu").GetString().Should().Be(to);

        // Evict: every GPU drops its cached prefix blocks; the repeated prompt then finds nothing cached. The background
        // load stops first (its last requests gone from the GPUs), so the counters move only with the repeated prompt.
        await trickle.DisposeAsync();
        await WaitFor(async () => Requests(await Cluster()).Count() == 2, "only the two long requests run");
        foreach (var gpu in await page.Locator("#gpus tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.gpu)"))
        {
            await page.Locator($"#gpus tr[data-gpu='{gpu}'] button[data-action=evict]").ClickAsync();
            await Expect(page.Locator("#messages [data-role=message]").First).ToContainTextAsync($"GPU {gpu} evicted");
        }
        await Expect(page.Locator("#gpus tbody tr[data-cached-blocks='0']")).ToHaveCountAsync(2);
        before = await PrefixCounters(0);
        var cold = await LiveRequest.Run(setup.Api, Model, repeated, 4);
        cold.Error.Should().BeNull();
        var hitsAfterEvict = (await PrefixCounters(before.Queried)).Hits - before.Hits;
        hitsAfterEvict.Should().BeLessThan(cachedHits, "the evicted prefix is computed again");
        hitsAfterEvict.Should().Be(0);
        if (warm.CachedPromptTokens is { } warmCached) cold.CachedPromptTokens.Should().BeLessThan(warmCached);

        // Drain: the silo stops admitting; what runs there goes on, and a new request is not admitted.
        await page.Locator("#silos tbody tr button[data-action=drain]").ClickAsync();
        await Expect(page.Locator("#silos tbody tr")).ToHaveAttributeAsync("data-draining", "true");
        await Expect(page.Locator("#gpus tbody tr[data-draining=true]")).ToHaveCountAsync(2);
        var cTokens = c.Tokens;
        await using var late = LiveRequest.Start(setup.Api, Model, "a request after the drain", 4);
        await WaitFor(() => Task.FromResult(c.Tokens > cTokens + 3), "the running request goes on after the drain");
        late.Tokens.Should().Be(0, "a drained silo admits nothing new");
        (await Cluster()).GetProperty("gpus").EnumerateArray().Should().OnlyContain(g => g.GetProperty("draining").GetBoolean());
        // The request waits for a GPU that admits (Grid:PlacementTimeout, 15 s), then fails saying why.
        await late.Finished.WaitAsync(TimeSpan.FromSeconds(60));
        late.Tokens.Should().Be(0);
        late.Error.Should().Contain("draining");

        await b.DisposeAsync();
        await c.DisposeAsync();
    }
}
