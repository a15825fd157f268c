using Grid.Bench.Serving;

namespace Grid.Bench.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Percentiles_interpolate_between_closest_ranks_as_numpy_does()
    {
        double[] values = [40, 10, 30, 20];
        // Sorted 10, 20, 30, 40: rank h = 3p/100.
        Percentiles.Of(values, 50).Should().BeApproximately(25, 1e-12);   // h = 1.5
        Percentiles.Of(values, 90).Should().BeApproximately(37, 1e-12);   // h = 2.7
        Percentiles.Of(values, 99).Should().BeApproximately(39.7, 1e-12); // h = 2.97
        Percentiles.Of(values, 0).Should().Be(10);
        Percentiles.Of(values, 100).Should().Be(40);
        Percentiles.Of([5], 90).Should().Be(5);
        Percentiles.Of([], 50).Should().Be(double.NaN);
    }

    [Fact]
    public void Summary_rates_tpot_and_goodput_match_hand_arithmetic()
    {
        RequestRecord[] requests =
        [
            new(Arrival: 0, FirstToken: 0.1, Finish: 1.1, PromptTokens: 100, OutputTokens: 11, CachedTokens: 0),  // TTFT 100 ms, TPOT 100 ms
            new(Arrival: 1, FirstToken: 1.5, Finish: 2.0, PromptTokens: 50, OutputTokens: 11, CachedTokens: 16),  // TTFT 500 ms, TPOT 50 ms
            new(Arrival: 2, FirstToken: 2.2, Finish: 4.0, PromptTokens: 30, OutputTokens: 10, CachedTokens: 0),   // TTFT 200 ms, TPOT 200 ms
            new(Arrival: 3, FirstToken: 3.05, Finish: 3.05, PromptTokens: 20, OutputTokens: 1, CachedTokens: 0),  // TTFT 50 ms, no TPOT
        ];
        var run = new ServeRun(requests, [0.1, 0.2, 0.3], Makespan: 4.0, WallSeconds: 4.0, Preemptions: 0);
        var s = ServeSummary.From("t", 1, run, new Slo(TtftMs: 300, TpotMs: 150));

        s.RequestThroughput.Should().BeApproximately(1.0, 1e-12);
        s.OutputTokensPerSecond.Should().BeApproximately(33 / 4.0, 1e-12);
        s.TotalTokensPerSecond.Should().BeApproximately((200 + 33) / 4.0, 1e-12);
        // TTFTs 50, 100, 200, 500 ms: p50 at rank 1.5 = 150, p90 at rank 2.7 = 200 + 0.7 x 300 = 410.
        s.TtftMs[0].Should().BeApproximately(150, 1e-9);
        s.TtftMs[1].Should().BeApproximately(410, 1e-9);
        // TPOTs of the multi-token requests: 50, 100, 200 ms; p50 = 100, p99 at rank 1.98 = 100 + 0.98 x 100.
        s.TpotMs[0].Should().BeApproximately(100, 1e-9);
        s.TpotMs[2].Should().BeApproximately(198, 1e-9);
        s.ItlMs[0].Should().BeApproximately(200, 1e-9);
        // Meeting both (TTFT <= 300 ms, TPOT <= 150 ms): the first and the one-token request; 2 over 4 s.
        s.Goodput.Should().BeApproximately(0.5, 1e-12);
        s.GoodputShare.Should().Be(0.5);
        s.CachedPromptTokens.Should().Be(16);
    }
}
