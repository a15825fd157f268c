using System.Net;
using System.Net.Sockets;

namespace Grid.Silo.Tests;

public static class Loopback
{
    /// <summary>A TCP port free on 127.0.0.1 right now (another process could take it before it is used; unlikely here).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Checks the condition until it holds; throws after the deadline, saying what it waited for.</summary>
    public static async Task WaitFor(Func<Task<bool>> condition, string what, TimeSpan deadline, Func<string>? details = null)
    {
        var until = DateTime.UtcNow + deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"waited {deadline.TotalSeconds:0} s for: {what}\n{details?.Invoke()}");
            await Task.Delay(100);
        }
    }
}
