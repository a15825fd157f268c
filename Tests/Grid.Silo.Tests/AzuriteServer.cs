using System.Net.Sockets;

namespace Grid.Silo.Tests;

/// <summary>
/// A throw-away Azurite Table endpoint (npm package azurite) on a free loopback port: in memory only, killed at the
/// end. Found as GRID_AZURITE (the azurite-table script), on PATH, or where .ci/run installs it
/// (~/.cache/grid-azurite/node_modules/.bin).
/// </summary>
public sealed class AzuriteServer : ITestClustering
{
    /// <summary>Azurite's well-known development account key (public, the same in every Azurite).</summary>
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const string Missing = "Azurite is not installed: `npm install --prefix ~/.cache/grid-azurite azurite@3.37.0` " +
        "(what .ci/run does), or set GRID_AZURITE to an azurite-table script";

    private readonly ChildProcess _process;

    private AzuriteServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The development account's connection string for this server's table endpoint (it carries the public dev key).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public IReadOnlyList<string> SiloArgs => ["--clustering", "AzureStorage", "--azure-storage", ConnectionString];

    public static string? Executable()
    {
        if (Environment.GetEnvironmentVariable("GRID_AZURITE") is { Length: > 0 } set) return File.Exists(set) ? set : null;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(home, ".cache", "grid-azurite", "node_modules", ".bin"))
            .Select(d => Path.Combine(d, "azurite-table")).FirstOrDefault(File.Exists);
    }

    /// <summary>Skips the test when Azurite is missing, unless GRID_REQUIRE_AZURITE=1 (CI), where that fails it.</summary>
    public static string RequireExecutable()
    {
        var found = Executable();
        if (found is not null) return found;
        if (Environment.GetEnvironmentVariable("GRID_REQUIRE_AZURITE") == "1") throw new InvalidOperationException(Missing);
        Skip.If(true, Missing);
        return "";
    }

    public static async Task<AzuriteServer> Start(string executable)
    {
        var port = Loopback.FreePort();
        var process = new ChildProcess("azurite-table", executable,
            ["--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry", "--silent"]);
        var server = new AzuriteServer(process, port);
        try
        {
            await Loopback.WaitFor(server.Answers, $"Azurite to answer HTTP on port {port}", TimeSpan.FromSeconds(60), process.Tail);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    // Any HTTP answer will do (unauthenticated, it is an error): the server is up.
    private async Task<bool> Answers()
    {
        if (_process.HasExited) throw new InvalidOperationException($"azurite-table exited\n{_process.Tail()}");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await http.GetAsync($"http://127.0.0.1:{Port}/devstoreaccount1/Tables");
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
        {
            return false;
        }
    }

    public string Tail() => _process.Tail();

    public void Dispose() => _process.Dispose();
}
