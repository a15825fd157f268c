using System.Net.Sockets;
using System.Text;

namespace Grid.Silo.Tests;

/// <summary>A throw-away redis-server on a free loopback port: nothing saved, killed at the end.</summary>
public sealed class RedisServer : ITestClustering
{
    private readonly ChildProcess _process;

    private RedisServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";

    public IReadOnlyList<string> SiloArgs => ["--redis", ConnectionString];

    /// <summary>The redis-server executable on PATH (the Debian package puts it in /usr/bin), or null.</summary>
    public static string? Executable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/sbin").Append("/usr/bin")
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);

    public static async Task<RedisServer> Start(string executable)
    {
        var port = Loopback.FreePort();
        var process = new ChildProcess("redis-server", executable, ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        var server = new RedisServer(process, port);
        try
        {
            await Loopback.WaitFor(server.Pongs, $"redis-server to answer PING on port {port}", TimeSpan.FromSeconds(30), process.Tail);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private async Task<bool> Pongs()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    public string Tail() => _process.Tail();

    public void Dispose() => _process.Dispose();
}
