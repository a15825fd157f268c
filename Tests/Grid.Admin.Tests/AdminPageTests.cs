using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Grid.Admin.Tests;

/// <summary>
/// The dashboard page alone, in chromium, against the admin API's contract (docs/admin-api.md): the silo host serves the
/// page, and the browser's requests to /admin/api/* are answered from a fixture, so what the page shows and what each
/// action sends can be checked exactly. <see cref="AdminDashboardTests"/> drives the same page against a live grid.
/// </summary>
public sealed class AdminPageTests(AdminPageTests.Setup setup) : IClassFixture<AdminPageTests.Setup>
{
    public sealed class Setup : IAsyncLifetime
    {
        public AdminHost Host { get; private set; } = null!;
        public Browser Browser { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            if (Browser.Missing is not null) return;
            Host = await AdminHost.Start("--devices", "0");
            Browser = await Browser.Launch();
        }

        public async Task DisposeAsync()
        {
            if (Browser is not null) await Browser.DisposeAsync();
            if (Host is not null) await Host.DisposeAsync();
        }
    }

    /// <summary>Answers /admin/api/* from the fixture; the throughput moves with each poll so the charts have a line to draw.</summary>
    private sealed class FakeApi
    {
        private readonly string _fixture = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cluster.json"));
        private int _polls;

        public ConcurrentQueue<(string Method, string Path, string? Body)> Posts { get; } = new();
        public Func<JsonNode, JsonNode> Edit { get; set; } = c => c;
        public int Status { get; set; } = 200;

        public async Task Attach(IPage page)
        {
            await page.RouteAsync("**/admin/api/**", async route =>
            {
                var request = route.Request;
                var path = new Uri(request.Url).AbsolutePath;
                if (request.Method == "GET" && path == "/admin/api/cluster")
                {
                    if (Status != 200)
                    {
                        await route.FulfillAsync(new() { Status = Status, ContentType = "application/json",
                            Body = """{"error":{"message":"admin key required","type":"invalid_request_error","param":null,"code":"invalid_admin_key"}}""" });
                        return;
                    }
                    var cluster = JsonNode.Parse(_fixture)!;
                    var n = Interlocked.Increment(ref _polls);
                    cluster["totals"]!["tokensPerSecond"] = 1000 + 100 * (n % 5);
                    await route.FulfillAsync(new() { ContentType = "application/json", Body = Edit(cluster).ToJsonString() });
                    return;
                }
                Posts.Enqueue((request.Method, path, request.PostData));
                var reply = path.EndsWith("/evict", StringComparison.Ordinal) ? """{"evicted":250}"""
                    : path.EndsWith("/migrate", StringComparison.Ordinal) ? """{"gpu":"node-a/1"}""" : """{"ok":true}""";
                await route.FulfillAsync(new() { ContentType = "application/json", Body = reply });
            });
        }
    }

    [SkippableFact]
    public async Task The_page_shows_silos_gpus_requests_and_moving_charts()
    {
        Browser.Require();
        var api = new FakeApi();
        var page = await setup.Browser.NewPage();
        var offsite = new ConcurrentBag<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(setup.Host.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)) offsite.Add(r.Url);
        };
        await api.Attach(page);
        await page.GotoAsync(new Uri(setup.Host.BaseAddress, "/admin").ToString());

        await Expect(page.Locator("#gpus tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#silos tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#requests tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#conn-status")).ToHaveAttributeAsync("data-state", "live");

        var gpu = page.Locator("#gpus tr[data-gpu='node-a/0']");
        await Expect(gpu.Locator("[data-field=backend]")).ToHaveTextAsync("Sim");
        await Expect(gpu.Locator("[data-field=running]")).ToHaveTextAsync("3");
        await Expect(gpu.Locator("[data-field=waiting]")).ToHaveTextAsync("1");
        await Expect(gpu.Locator("[data-field=tps]")).ToHaveTextAsync("813");
        await Expect(gpu.Locator("[data-field=hits]")).ToHaveTextAsync("25.0 %");
        // The stacked KV bar: 250 used, 250 cached, 500 free of 1000.
        (await gpu.Locator("[data-kv=used]").EvaluateAsync<string>("e => e.style.width")).Should().Be("25%");
        (await gpu.Locator("[data-kv=cached]").EvaluateAsync<string>("e => e.style.width")).Should().Be("25%");
        (await gpu.Locator("[data-kv=free]").EvaluateAsync<string>("e => e.style.width")).Should().Be("50%");
        await Expect(page.Locator("#gpus tr[data-gpu='node-b/0']")).ToHaveAttributeAsync("data-draining", "true");
        await Expect(page.Locator("#silos tr[data-node='node-b'] button[data-action=drain]")).ToBeDisabledAsync();

        await Expect(page.Locator("#prefix-hit-rate")).ToHaveTextAsync("25.0 %");
        await Expect(page.Locator("#ttft-now")).ToHaveTextAsync("40.0 / 95.0 / 180 ms");
        var req = page.Locator("#requests tr[data-request='req-3']");
        await Expect(req.Locator("[data-field=gpu]")).ToHaveTextAsync("node-a/1");
        await Expect(req.Locator("[data-field=age]")).ToHaveTextAsync("1:15");

        // The charts draw from the page's own history: each poll adds a point.
        await page.WaitForFunctionAsync("() => +document.getElementById('chart-throughput').dataset.points >= 3");
        await page.WaitForFunctionAsync("() => +document.getElementById('chart-ttft').dataset.points >= 9");
        await page.WaitForFunctionAsync("() => +document.getElementById('chart-tpot').dataset.points >= 9");

        // Rows follow the cluster by key: a finished request leaves, the others stay where they are.
        var kept = await page.Locator("#requests tr[data-request='req-1']").ElementHandleAsync();
        api.Edit = c =>
        {
            c["requests"]!.AsArray().RemoveAt(1);
            return c;
        };
        await Expect(page.Locator("#requests tbody tr")).ToHaveCountAsync(2);
        (await kept.EvaluateAsync<bool>("e => e.isConnected")).Should().BeTrue("rows are updated in place, not rebuilt");

        // A long queue shows its oldest 50 and says how many more there are.
        api.Edit = c =>
        {
            var many = new JsonArray();
            for (var i = 0; i < 60; i++) many.Add(new JsonObject { ["id"] = $"req-q{i}", ["gpu"] = "node-a/0", ["tokens"] = 0, ["ageSeconds"] = 0.5 * i, ["phase"] = "Waiting" });
            c["requests"] = many;
            return c;
        };
        await Expect(page.Locator("#requests tbody tr")).ToHaveCountAsync(50);
        await Expect(page.Locator("#requests tbody tr").First).ToHaveAttributeAsync("data-request", "req-q59");
        await Expect(page.Locator("#requests-more")).ToHaveTextAsync("… and 10 more, newer");

        await Expect(page.Locator("#orleans-link")).ToHaveAttributeAsync("href", "/orleans/");
        offsite.Should().BeEmpty("the page works offline: no CDN, nothing off this silo");
        await page.CloseAsync();
    }

    [SkippableFact]
    public async Task Each_action_asks_first_then_posts_what_the_contract_says()
    {
        Browser.Require();
        var api = new FakeApi();
        var accept = false;
        var page = await setup.Browser.NewPage(() => accept);
        await api.Attach(page);
        await page.GotoAsync(new Uri(setup.Host.BaseAddress, "/admin").ToString());
        await Expect(page.Locator("#requests tbody tr")).ToHaveCountAsync(3);

        // Declined: nothing is sent.
        await page.Locator("#requests tr[data-request='req-2'] button[data-action=cancel]").ClickAsync();
        await page.Locator("#silos tr[data-node='node-a'] button[data-action=drain]").ClickAsync();
        api.Posts.Should().BeEmpty();

        accept = true;
        async Task<(string Method, string Path, string? Body)> Next()
        {
            (string, string, string?) post = default;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!api.Posts.TryDequeue(out post) && DateTime.UtcNow < deadline) await Task.Delay(20);
            return post;
        }

        await page.Locator("#silos tr[data-node='node-a'] button[data-action=drain]").ClickAsync();
        (await Next()).Should().Be(("POST", "/admin/api/silos/node-a/drain", null));

        await page.Locator("#gpus tr[data-gpu='node-a/0'] button[data-action=evict]").ClickAsync();
        // The key's slash travels escaped, so it stays one path segment.
        (await Next()).Should().Be(("POST", "/admin/api/gpus/node-a%2F0/evict", null));
        await Expect(page.Locator("#messages [data-role=message]").First).ToContainTextAsync("evicted 250");

        await page.Locator("#requests tr[data-request='req-2'] button[data-action=cancel]").ClickAsync();
        (await Next()).Should().Be(("POST", "/admin/api/requests/req-2/cancel", null));

        // Migrate: the choices are the other GPUs that admit (not its own, not a draining one), or any of them.
        var target = page.Locator("#requests tr[data-request='req-1'] select[data-role=migrate-target]");
        (await target.Locator("option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)")).Should().Equal("", "node-a/1");
        await target.SelectOptionAsync("node-a/1");
        await page.Locator("#requests tr[data-request='req-1'] button[data-action=migrate]").ClickAsync();
        (await Next()).Should().Be(("POST", "/admin/api/requests/req-1/migrate", """{"gpu":"node-a/1"}"""));
        await Expect(page.Locator("#messages [data-role=message]").First).ToContainTextAsync("moved to node-a/1");

        await page.Locator("#requests tr[data-request='req-3'] button[data-action=migrate]").ClickAsync();
        (await Next()).Should().Be(("POST", "/admin/api/requests/req-3/migrate", "{}"));
        api.Posts.Should().BeEmpty();
        await page.CloseAsync();
    }

    [SkippableFact]
    public async Task Without_the_admin_key_the_page_says_how_to_open_it()
    {
        Browser.Require();
        var api = new FakeApi { Status = 401 };
        var page = await setup.Browser.NewPage();
        await api.Attach(page);
        await page.GotoAsync(new Uri(setup.Host.BaseAddress, "/admin").ToString());
        await Expect(page.Locator("#auth-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#conn-status")).ToHaveAttributeAsync("data-state", "error");
        api.Status = 200;
        await Expect(page.Locator("#auth-error")).ToBeHiddenAsync();
        await Expect(page.Locator("#gpus tbody tr")).ToHaveCountAsync(3);
        await page.CloseAsync();
    }
}
