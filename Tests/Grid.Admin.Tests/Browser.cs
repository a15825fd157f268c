using Microsoft.Playwright;

namespace Grid.Admin.Tests;

/// <summary>
/// Debian's chromium, headless, driven by Playwright's bundled driver; never a downloaded browser (this machine has no
/// network). The flags are the ones this machine needs: without the background-networking ones chromium keeps dialling
/// out and is refused; each launch gets a fresh, empty profile.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    /// <summary>GRID_CHROMIUM names another binary; .ci/run installs Debian's package at /usr/bin/chromium.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("GRID_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public static string? Missing => File.Exists(ExecutablePath)
        ? null
        : $"chromium not found at {ExecutablePath}: install Debian's chromium (apt-get install chromium; .ci/run does) or set GRID_CHROMIUM";

    /// <summary>Skips the test when chromium is missing, unless GRID_REQUIRE_CHROMIUM=1 (CI), where that fails it.</summary>
    public static void Require()
    {
        if (Missing is null) return;
        if (Environment.GetEnvironmentVariable("GRID_REQUIRE_CHROMIUM") == "1") throw new InvalidOperationException(Missing);
        Skip.If(true, Missing);
    }

    private readonly IPlaywright _playwright;
    private readonly string _profile;

    public IBrowserContext Context { get; }

    private Browser(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        Context = context;
        _profile = profile;
    }

    public static async Task<Browser> Launch()
    {
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("grid-chromium-").FullName;
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ChromiumSandbox = false,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1440, Height = 1100 },
        });
        context.SetDefaultTimeout(30_000);
        return new Browser(playwright, context, profile);
    }

    /// <summary>A page whose confirm dialogs are accepted (as an operator who means it would) while <paramref name="accept"/> says so.</summary>
    public async Task<IPage> NewPage(Func<bool>? accept = null)
    {
        var page = await Context.NewPageAsync();
        page.Dialog += async (_, dialog) =>
        {
            if (accept?.Invoke() ?? true) await dialog.AcceptAsync();
            else await dialog.DismissAsync();
        };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be letting go of its profile; it lives under the temp folder anyway.
        }
    }
}
