namespace Grid.Silo.Tests;

/// <summary>
/// What silo processes under test cluster through (a redis-server, an Azure Table storage emulator): the switches each
/// silo gets, and the server's output for failure messages. Scenarios take one, so each backend runs the same checks.
/// </summary>
public interface ITestClustering : IDisposable
{
    IReadOnlyList<string> SiloArgs { get; }

    string Tail();
}
