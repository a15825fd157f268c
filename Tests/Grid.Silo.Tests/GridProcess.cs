namespace Grid.Silo.Tests;

/// <summary>A real `grid` silo process (the grid.dll built beside the tests), on free loopback ports.</summary>
public sealed class GridProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _http;

    private GridProcess(string node, IEnumerable<string> args)
    {
        Node = node;
        SiloPort = Loopback.FreePort();
        GatewayPort = Loopback.FreePort();
        HttpPort = Loopback.FreePort();
        string[] all =
        [
            GridDll, .. args, "--node", node, "--silo-port", SiloPort.ToString(), "--gateway-port", GatewayPort.ToString(),
            "--urls", $"http://127.0.0.1:{HttpPort}", "--Logging:LogLevel:Default", "Information",
        ];
        _process = new ChildProcess($"grid {node}", DotNet, all);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(5) };
    }

    public string Node { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public int HttpPort { get; }
    public bool HasExited => _process.HasExited;

    private static string GridDll => Path.Combine(AppContext.BaseDirectory, "grid.dll");

    // `dotnet test` says which host runs the tests; the same one runs the silos.
    private static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Starts the process; <see cref="Ready"/> waits for it.</summary>
    public static GridProcess Start(string node, params string[] args) => new(node, args);

    /// <summary>Waits until the host answers /health/ready: its silo has started and joined the cluster.</summary>
    public Task Ready(TimeSpan deadline) => Loopback.WaitFor(async () =>
    {
        if (_process.HasExited) throw new InvalidOperationException($"the silo process exited before it was ready\n{Tail()}");
        try
        {
            return (await _http.GetAsync("/health/ready")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }, $"silo {Node} to answer /health/ready on port {HttpPort}", deadline, Tail);

    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: the host drains and stops.</summary>
    public void Terminate() => _process.Terminate();

    public int? ExitCode => _process.ExitCode;

    public Task<bool> WaitForExit(TimeSpan deadline) => _process.WaitForExit(deadline);

    /// <summary>All the silo's output so far.</summary>
    public string Output() => _process.Output();

    public string Tail() => _process.Tail();

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
    }
}
