using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Grid.Admin.Tests;

/// <summary>
/// Takes the README's picture, docs/admin-dashboard.png: the dashboard after a while under load. Runs only when asked:
/// <c>GRID_ADMIN_SCREENSHOT=docs/admin-dashboard.png dotnet test Tests/Grid.Admin.Tests --filter Screenshot</c>
/// (GRID_ADMIN_SCREENSHOT_SECONDS sets how long the load runs first, 90 s by default).
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

        await using var host = await AdminHost.Start("--backend", "sim", "--devices", "3", "--sim-time-scale", "20", "--admin-key", "screenshot");
        using var api = host.Http();
        var repeated = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}"));
        await using var shared = new Trickle(api, "demo", perSecond: 1, maxTokens: 200, prompt: n => $"{repeated} {n}");
        await using var load = new Trickle(api, "demo", perSecond: 3, maxTokens: 300);
        await using var browser = await Browser.Launch();
        var page = await browser.NewPage();
        await page.GotoAsync(new Uri(host.BaseAddress, "/admin?key=screenshot").ToString());
        await Expect(page.Locator("#gpus tbody tr")).ToHaveCountAsync(3);
        await page.WaitForFunctionAsync($"() => +document.getElementById('chart-throughput').dataset.points >= {seconds * 9 / 10}",
            null, new() { Timeout = (seconds + 60) * 1000 });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path!))!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }
}
