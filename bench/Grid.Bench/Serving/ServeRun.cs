namespace Grid.Bench.Serving;

/// <summary>One workload served to the end: every request's record, every gap between consecutive tokens of a request, and the makespan.</summary>
public sealed record ServeRun(IReadOnlyList<RequestRecord> Requests, IReadOnlyList<double> InterTokenLatencies, double Makespan, double WallSeconds, long Preemptions);
