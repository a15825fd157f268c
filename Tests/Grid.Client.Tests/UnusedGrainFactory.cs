using System.Reflection;

namespace Grid.Client.Tests;

/// <summary>An IGrainFactory for wiring tests that must never reach a cluster.</summary>
public class UnusedGrainFactory : DispatchProxy
{
    public static IGrainFactory Create() => DispatchProxy.Create<IGrainFactory, UnusedGrainFactory>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new InvalidOperationException($"{targetMethod?.Name} was called on a grain factory meant to stay unused");
}
