using Grid.Engine.Sampling;

namespace Grid.Engine.Tests.Sampling;

public class SamplerTests
{
    private const ulong Seed = 42;

    private static int Sample(Sampler s, float[] logits, SamplingOptions o, int position = 0, int[]? generated = null) =>
        s.Sample((float[])logits.Clone(), o, Seed, position, [], generated ?? []).Id;

    private static int[] Counts(float[] logits, SamplingOptions o, int draws)
    {
        var s = new Sampler(logits.Length);
        var counts = new int[logits.Length];
        for (var pos = 0; pos < draws; pos++) counts[Sample(s, logits, o, pos)]++;
        return counts;
    }

    /// <summary>Softmax in double precision, written independently of the sampler.</summary>
    private static double[] Softmax(float[] logits, double temperature)
    {
        var e = logits.Select(l => Math.Exp(l / temperature)).ToArray();
        var sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    /// <summary>Pearson's statistic over the categories with expected probability > 0.</summary>
    private static double ChiSquare(int[] counts, double[] p)
    {
        var n = counts.Sum();
        var chi = 0.0;
        for (var i = 0; i < p.Length; i++)
            if (p[i] > 0) chi += Math.Pow(counts[i] - n * p[i], 2) / (n * p[i]);
        return chi;
    }

    private static float[] LogitsOf(params double[] probs) => probs.Select(p => (float)Math.Log(p)).ToArray();

    [Fact]
    public void Greedy_takes_the_argmax_and_the_lowest_id_on_ties()
    {
        var s = new Sampler(4);
        var greedy = new SamplingOptions { Temperature = 0f };
        Sample(s, [1f, 3f, 3f, 0f], greedy).Should().Be(1);
        Sample(s, [-5f, -4f, -4.5f, -9f], greedy).Should().Be(1);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Temperature_draws_follow_the_softmax(double temperature)
    {
        float[] logits = [0f, 1f, 2f, 0.5f];
        var counts = Counts(logits, new SamplingOptions { Temperature = (float)temperature }, 4000);
        // 3 degrees of freedom: 16.27 is the 0.1% tail; seeds are fixed so the outcome is too.
        ChiSquare(counts, Softmax(logits, temperature)).Should().BeLessThan(16.27);
    }

    [Fact]
    public void Top_k_keeps_only_the_k_most_likely()
    {
        float[] logits = [1f, 3f, 2f, 0.5f, 2.9f];
        var counts = Counts(logits, new SamplingOptions { TopK = 2 }, 3000);
        counts[0].Should().Be(0);
        counts[2].Should().Be(0);
        counts[3].Should().Be(0);
        var p1 = Math.Exp(3) / (Math.Exp(3) + Math.Exp(2.9));
        ChiSquare(counts, [0, p1, 0, 0, 1 - p1]).Should().BeLessThan(10.83);
    }

    [Fact]
    public void Top_k_of_one_is_greedy()
    {
        var rng = new Random(1);
        var s = new Sampler(1000);
        for (var trial = 0; trial < 30; trial++)
        {
            var logits = Enumerable.Range(0, 1000).Select(_ => (float)Math.Round(rng.NextDouble() * 10, 1)).ToArray();
            var expected = Array.IndexOf(logits, logits.Max());
            Sample(s, logits, new SamplingOptions { TopK = 1, Temperature = 0.7f }, trial).Should().Be(expected);
            Sample(s, logits, new SamplingOptions { Temperature = 0f }, trial).Should().Be(expected);
        }
    }

    [Fact]
    public void Top_p_drops_the_tail()
    {
        // Cumulative 0.5, 0.8: top_p 0.75 keeps the first two, in proportion 0.5 : 0.3.
        var counts = Counts(LogitsOf(0.5, 0.3, 0.15, 0.05), new SamplingOptions { TopP = 0.75f }, 3000);
        counts[2].Should().Be(0);
        counts[3].Should().Be(0);
        ChiSquare(counts, [0.625, 0.375, 0, 0]).Should().BeLessThan(10.83);
    }

    [Fact]
    public void Top_p_over_a_large_vocabulary_keeps_the_nucleus()
    {
        // 4990 tail tokens at logit 0 and ten strong ones; the nucleus at 0.9 is computed here by a full sort.
        var logits = new float[5000];
        var strong = Enumerable.Range(0, 10).Select(i => 17 + i * 499).ToArray();
        for (var i = 0; i < 10; i++) logits[strong[i]] = 10f - 0.5f * i;
        var p = Softmax(logits, 1.0);
        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ToArray();
        var nucleus = new HashSet<int>();
        var cum = 0.0;
        foreach (var id in order) { nucleus.Add(id); if ((cum += p[id]) >= 0.9) break; }
        nucleus.Should().HaveCount(8);

        var counts = Counts(logits, new SamplingOptions { TopP = 0.9f }, 4000);
        var drawn = Enumerable.Range(0, counts.Length).Where(i => counts[i] > 0).ToHashSet();
        drawn.Should().BeEquivalentTo(nucleus);
        var expected = p.Select((x, i) => nucleus.Contains(i) ? x / cum : 0).ToArray();
        ChiSquare(counts, expected).Should().BeLessThan(24.32); // 7 degrees of freedom, 0.1% tail
    }

    [Fact]
    public void Top_p_that_needs_the_long_tail_keeps_each_token_at_its_own_probability()
    {
        // One strong token holds ~29%; 999 weak ones share the rest, so a 0.9 nucleus reaches deep into
        // the tail. Token 0 is weak (~0.07%) and must stay so however the nucleus is gathered.
        var logits = Enumerable.Repeat(-6f, 1000).ToArray();
        logits[500] = 0f;
        var p = Softmax(logits, 1.0);
        var counts = Counts(logits, new SamplingOptions { TopP = 0.9f }, 20000);
        (counts[0] / 20000.0).Should().BeLessThan(0.005);
        (counts[500] / 20000.0).Should().BeApproximately(p[500] / 0.9, 0.05);
    }

    [Fact]
    public void Min_p_drops_tokens_below_a_fraction_of_the_best()
    {
        // min_p 0.2 of 0.5 is 0.1: 0.05 goes, the rest keep their proportions.
        var counts = Counts(LogitsOf(0.5, 0.3, 0.15, 0.05), new SamplingOptions { MinP = 0.2f }, 3000);
        counts[3].Should().Be(0);
        ChiSquare(counts, [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0]).Should().BeLessThan(13.82);
        Counts(LogitsOf(0.5, 0.3, 0.15, 0.05), new SamplingOptions { MinP = 0.7f }, 200)
            .Should().Equal(200, 0, 0, 0);
    }

    [Fact]
    public void A_vanishing_temperature_picks_the_best_without_overflow()
    {
        var s = new Sampler(3);
        Sample(s, [1f, 30f, 29f], new SamplingOptions { Temperature = 1e-30f }).Should().Be(1);
        Sample(s, [1f, 30f, 29f], new SamplingOptions { Temperature = 1e-30f, TopK = 2 }).Should().Be(1);
        Sample(s, [1f, 30f, 29f], new SamplingOptions { Temperature = 1e-45f }).Should().Be(1);
    }

    [Fact]
    public void Penalties_apply_before_the_choice()
    {
        var s = new Sampler(2);
        // Token 0 was generated: 3 / 1.5 = 2 < 2.5.
        Sample(s, [3f, 2.5f], new SamplingOptions { Temperature = 0f, RepetitionPenalty = 1.5f }, generated: [0]).Should().Be(1);
        Sample(s, [3f, 2.5f], new SamplingOptions { Temperature = 0f, FrequencyPenalty = 0.3f }, generated: [0, 0]).Should().Be(1);
    }

    [Fact]
    public void A_draw_depends_only_on_seed_and_position()
    {
        var logits = new float[100];
        var o = new SamplingOptions();
        var forward = Enumerable.Range(0, 50).Select(pos => Sample(new Sampler(100), logits, o, pos)).ToArray();
        var shared = new Sampler(100);
        var backward = Enumerable.Range(0, 50).Reverse().Select(pos => Sample(shared, logits, o, pos)).Reverse().ToArray();
        backward.Should().Equal(forward);
        // 50 uniform draws over 100 tokens give about 39 distinct ones; a generator stuck on its seed gives 1.
        forward.Distinct().Count().Should().BeGreaterThan(25);
        var otherSeed = Enumerable.Range(0, 50).Select(pos => shared.Sample(new float[100], o, Seed + 1, pos, [], []).Id);
        otherSeed.Should().NotEqual(forward);
    }

    [Fact]
    public void The_uniform_number_is_in_range_and_roughly_uniform()
    {
        var u = Enumerable.Range(0, 10000).Select(pos => SampleRandom.Uniform(Seed, pos)).ToArray();
        u.Should().OnlyContain(x => x >= 0 && x < 1);
        u.Average().Should().BeApproximately(0.5, 0.01);
        u.Count(x => x < 0.1).Should().BeInRange(900, 1100);
    }

    [Fact]
    public void Log_probabilities_describe_the_distribution_before_temperature()
    {
        var s = new Sampler(3);
        var logits = LogitsOf(0.5, 0.25, 0.25).Select(l => l + 3f).ToArray();
        var t = s.Sample(logits, new SamplingOptions { Temperature = 0f, LogProbs = 2 }, Seed, 0, [], []);
        t.Id.Should().Be(0);
        t.LogProb.Should().BeApproximately((float)Math.Log(0.5), 1e-5f);
        t.TopLogProbs!.Select(x => x.Id).Should().Equal(0, 1);
        t.TopLogProbs!.Select(x => x.LogProb).Should().Equal([(float)Math.Log(0.5), (float)Math.Log(0.25)],
            (a, b) => Math.Abs(a - b) < 1e-5f);

        var hot = s.Sample(LogitsOf(0.5, 0.25, 0.25), new SamplingOptions { Temperature = 0.01f, LogProbs = 1 }, Seed, 0, [], []);
        hot.LogProb.Should().BeApproximately((float)Math.Log(0.5), 1e-5f);
        s.Sample(LogitsOf(0.5, 0.25, 0.25), new SamplingOptions(), Seed, 0, [], []).TopLogProbs.Should().BeNull();
    }

    [Fact]
    public void Sampling_allocates_nothing_without_log_probabilities()
    {
        const int vocab = 50_000;
        var rng = new Random(3);
        var source = Enumerable.Range(0, vocab).Select(_ => (float)rng.NextDouble() * 8).ToArray();
        var logits = new float[vocab];
        int[] prompt = [1, 2, 3], generated = [4, 4, 5];
        var s = new Sampler(vocab);
        SamplingOptions[] all =
        [
            new() { Temperature = 0f },
            new() { TopK = 40, TopP = 0.9f, MinP = 0.05f, RepetitionPenalty = 1.1f, FrequencyPenalty = 0.2f, PresencePenalty = 0.1f },
            new() { TopP = 0.95f },
            new() { MinP = 0.1f },
            new() { Temperature = 0.8f },
        ];
        foreach (var o in all) { source.CopyTo(logits, 0); s.Sample(logits, o, Seed, 0, prompt, generated); }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var pos = 0; pos < 5; pos++)
            foreach (var o in all) { source.CopyTo(logits, 0); s.Sample(logits, o, Seed, pos, prompt, generated); }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
