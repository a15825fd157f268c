using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Grid.Admin.Tests;

/// <summary>
/// Takes the README's picture, docs/admin-dashboard.png: the dashboard after a while under load. Runs only when asked:
/// <c>GRID_ADMIN_SCREENSHOT=docs/admin-dashboard.png dotnet test Tests/Grid.Admin.Tests --filter Screenshot</c> (a path from
/// the repository's root; GRID_ADMIN_SCREENSHOT_SECONDS sets how long the load runs first, 90 s by default).
/// </summary>
public sealed class DashboardScreenshot
{
    [SkippableFact]
    public async Task Screenshot_of_the_dashboard_under_load()
    {
        var path = Environment.GetEnvironmentVariable("GRID_ADMIN_SCREENSHOT");
        Skip.If(string.IsNullOrEmpty(path), "takes the README's screenshot only when GRID_ADMIN_SCREENSHOT names the file");
        Browser.Require();
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("GRID_ADMIN_SCREENSHOT_SECONDS"), out var s) ? s : 90;

        // The CPU backend with the demo model and a small KV pool, so the KV bars have something to show.
        await using var host = await AdminHost.Start("--devices", "2", "--threads", "1", "--kv-cache-mib", "48", "--admin-key", "screenshot");
        using var api = host.Http();
        var repeated = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}"));
        await using var shared = new Trickle(api, "demo", perSecond: 0.3, maxTokens: 120, prompt: n => $"{repeated} {n}");
        await using var load = new Trickle(api, "demo", perSecond: 0.7, maxTokens: 120);
        await using var browser = await Browser.Launch();
        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(host.BaseAddress, "/admin?key=screenshot").ToString());
        await Expect(page.Locator("#gpus tbody tr")).ToHaveCountAsync(2);
        await page.WaitForFunctionAsync($"() => +document.getElementById('chart-throughput').dataset.points >= {seconds * 9 / 10}",
            null, new() { Timeout = (seconds + 60) * 1000 });
        // A relative path is the repository's (where Grid.sln is), not the test runner's working folder.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root.Parent is not null && !File.Exists(Path.Combine(root.FullName, "Grid.sln"))) root = root.Parent;
        var file = Path.GetFullPath(path!, root.FullName);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
    }
}
