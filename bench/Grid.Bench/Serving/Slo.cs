namespace Grid.Bench.Serving;

/// <summary>Service-level objectives a request must meet, both, to count toward goodput.</summary>
public sealed record Slo(double TtftMs, double TpotMs)
{
    public bool Met(RequestRecord r) => r.Ttft * 1000 <= TtftMs && r.Tpot * 1000 <= TpotMs;
}
