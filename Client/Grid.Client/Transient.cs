using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Polly.Timeout;

namespace Grid.Client;

/// <summary>Failures that a silo loss or a moving grain causes, after which a call that is safe to repeat is repeated.</summary>
internal static class Transient
{
    public static bool Is(Exception e) => e is
        SiloUnavailableException or
        OrleansMessageRejectionException or
        EnumerationAbortedException or
        ConnectionFailedException or
        GatewayTooBusyException or
        TimeoutException or
        TimeoutRejectedException or
        StreamIdleException;
}

/// <summary>A stream brought nothing for longer than <see cref="GridChatClientOptions.StreamIdleTimeout"/>.</summary>
internal sealed class StreamIdleException(TimeSpan idle) : Exception($"the stream brought nothing for {idle}");
