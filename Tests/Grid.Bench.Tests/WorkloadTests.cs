using Grid.Bench.Serving;

namespace Grid.Bench.Tests;

public sealed class WorkloadTests
{
    [Fact]
    public void The_same_seed_gives_the_same_requests()
    {
        var a = ShareGptWorkload.Create(200, 3, 1024, 32000, seed: 7);
        var b = ShareGptWorkload.Create(200, 3, 1024, 32000, seed: 7);
        var c = ShareGptWorkload.Create(200, 3, 1024, 32000, seed: 8);
        a.Select(r => (r.ArrivalSeconds, r.OutputTokens)).Should().Equal(b.Select(r => (r.ArrivalSeconds, r.OutputTokens)));
        a.Zip(b).Should().OnlyContain(p => p.First.Prompt.SequenceEqual(p.Second.Prompt));
        a.Select(r => r.OutputTokens).Should().NotEqual(c.Select(r => r.OutputTokens));
    }

    [Fact]
    public void Poisson_gaps_average_one_over_the_rate_and_every_rate_serves_the_same_requests()
    {
        const double rate = 4;
        var times = Arrivals.Poisson(20_000, rate, seed: 3);
        var gaps = times.Zip(times.Skip(1), (x, y) => y - x).Prepend(times[0]).ToArray();
        gaps.Should().OnlyContain(g => g >= 0);
        // The standard error of the mean of 20,000 exponential gaps is 1/rate/sqrt(20000) ~ 0.7%: 3% is over 4 sigma.
        gaps.Average().Should().BeApproximately(1 / rate, 0.03 / rate);
        Arrivals.Poisson(10, double.PositiveInfinity, seed: 3).Should().OnlyContain(t => t == 0);

        var slow = ShareGptWorkload.Create(50, 1, 1024, 32000, seed: 5);
        var fast = ShareGptWorkload.Create(50, 10, 1024, 32000, seed: 5);
        fast.Select(r => r.OutputTokens).Should().Equal(slow.Select(r => r.OutputTokens));
        fast.Zip(slow).Should().OnlyContain(p => Math.Abs(p.First.ArrivalSeconds * 10 - p.Second.ArrivalSeconds) < 1e-9);
    }

    [Fact]
    public void Lengths_are_clipped_to_the_context_and_token_ids_skip_the_special_ones()
    {
        const int context = 256, vocab = 1000;
        var requests = ShareGptWorkload.Create(2000, 1, context, vocab, seed: 11);
        requests.Should().OnlyContain(r => r.Prompt.Length + r.OutputTokens <= context);
        requests.Should().OnlyContain(r => r.Prompt.Length >= ShareGptWorkload.MinPrompt && r.OutputTokens >= ShareGptWorkload.MinOutput);
        requests.Should().Contain(r => r.Prompt.Length == context - ShareGptWorkload.MinOutput, "a long-tailed prompt draw reaches the clip");
        requests.SelectMany(r => r.Prompt).Should().OnlyContain(t => t >= 3 && t < vocab);
        // Unclipped, the median is the lognormal's: clipping at 256 leaves the median of ~150 alone.
        var prompts = requests.Select(r => (double)r.Prompt.Length).Order().ToArray();
        prompts[prompts.Length / 2].Should().BeInRange(130, 170);
    }

    [Fact]
    public void Shared_prefix_requests_share_the_prefix_and_fit_the_context()
    {
        var requests = SharedPrefixWorkload.Create(20, 2, 1024, 32000, seed: 1);
        var prefix = SharedPrefixWorkload.PrefixLength(1000, 1024);
        prefix.Should().Be(1024 - 60 - 64);
        requests.Should().OnlyContain(r => r.Prompt.Take(prefix).SequenceEqual(requests[0].Prompt.Take(prefix)));
        requests.Should().OnlyContain(r => r.Prompt.Length - prefix >= 20 && r.Prompt.Length - prefix <= 60);
        requests.Should().OnlyContain(r => r.OutputTokens >= 32 && r.OutputTokens <= 64 && r.Prompt.Length + r.OutputTokens <= 1024);
        SharedPrefixWorkload.PrefixLength(1000, 8192).Should().Be(1000);
    }
}
