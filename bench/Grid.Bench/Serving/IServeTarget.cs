using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Bench.Serving;

/// <summary>A backend to serve on: makes a fresh engine (empty KV pool) for each run, with the clock it runs against.</summary>
public interface IServeTarget : IDisposable
{
    /// <summary>One line naming the model, the backend and its KV pool.</summary>
    string Description { get; }
    int ContextLength { get; }
    int VocabSize { get; }
    Slo DefaultSlo { get; }
    IReadOnlyList<double> DefaultRates(string workload);
    int DefaultRequests(string workload);

    (EngineCore Engine, IClock Clock) CreateEngine(bool prefixCaching);
}
