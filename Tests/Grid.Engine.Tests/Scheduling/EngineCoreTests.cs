using System.Text;
using Grid.Engine.Models;
using Grid.Engine.Models.Tokenizers;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;

namespace Grid.Engine.Tests.Scheduling;

public sealed class EngineCoreTests : IDisposable
{
    private static readonly ModelConfig Tiny = new() { Dim = 32, HiddenDim = 64, Layers = 1, Heads = 2, KvHeads = 1, VocabSize = 260, ContextLength = 256 };
    private readonly Model _model = RandomModel.Create(Tiny, TensorType.F32, seed: 9, std: 0.3f);

    public void Dispose() => _model.Dispose();

    private static EngineRequest Request(string id, int promptLength, int maxTokens, int seed = 0) =>
        new(id, Enumerable.Range(0, promptLength).Select(i => 3 + (i * 31 + seed * 7) % 250).ToArray(),
            new SamplingOptions { Temperature = 0.8f, Seed = (ulong)seed, MaxTokens = maxTokens, IgnoreEos = true });

    /// <summary>A request re-admitted elsewhere streams on as if it had not moved, even when a character's bytes straddle the move.</summary>
    [Fact]
    public void A_readmitted_request_joins_the_bytes_of_a_character_split_at_its_move()
    {
        var euro = Encoding.UTF8.GetBytes("\u20ac");
        int[] prompt = [1, .. "Tom said "u8.ToArray().Select(b => 3 + b)];
        int[] generated = [.. "hi "u8.ToArray().Select(b => 3 + b), 3 + euro[0], 3 + euro[1]];
        // What the first engine streamed: the last two bytes it held back, waiting for the rest of the character.
        var first = new TokenDecoder(_model.Tokenizer, prompt[^1]);
        var streamed = string.Concat(generated.Select(first.Append));
        streamed.Should().Be("hi ");

        using var h = new EngineHarness(_model, blocks: 64);
        h.Engine.Add(new EngineRequest("moved", prompt, new SamplingOptions { Temperature = 0, MaxTokens = generated.Length + 6, IgnoreEos = true })
        {
            GeneratedTokens = generated,
        });
        while (!h.Finished.ContainsKey("moved")) h.Step();

        var whole = TokenDecoder.Decode(_model.Tokenizer, [.. prompt, .. generated, .. h.Tokens["moved"]]);
        var promptText = TokenDecoder.Decode(_model.Tokenizer, prompt);
        (streamed + h.Text["moved"]).Should().Be(whole[promptText.Length..]);
    }

    [Fact]
    public void A_long_prompt_enters_in_chunks_while_decodes_keep_running()
    {
        using var h = new EngineHarness(_model, blocks: 64, blockSize: 16, maxBatchTokens: 32);
        h.Engine.Add(Request("short", 4, 50));
        h.Step(); // the short prompt's prefill
        h.Engine.Add(Request("long", 200, 4));
        var decodesDuringPrefill = 0;
        while (!h.Finished.ContainsKey("long"))
        {
            var before = h.Tokens.GetValueOrDefault("short")?.Count ?? 0;
            h.Step();
            if (!h.Tokens.ContainsKey("long") && h.Tokens["short"].Count > before) decodesDuringPrefill++;
        }
        decodesDuringPrefill.Should().BeGreaterThanOrEqualTo(6, "a 200-token prompt at 31 tokens a step takes 7 steps, each with the running decode in it");
    }

    [Fact]
    public void Cancelling_mid_prefill_and_mid_decode_frees_every_block()
    {
        using var h = new EngineHarness(_model, blocks: 64, blockSize: 16, maxBatchTokens: 32);
        h.Engine.Add(Request("prefilling", 150, 10));
        h.Engine.Add(Request("decoding", 5, 100));
        h.Step();
        h.Step();
        h.Engine.Pool.UsedCount.Should().BeGreaterThan(0);
        h.Engine.Abort("prefilling").Should().BeTrue();
        h.Step();
        h.Finished["prefilling"].Should().Be(FinishReason.Abort);
        h.Tokens.GetValueOrDefault("prefilling").Should().BeNullOrEmpty("it never reached its first token");
        h.Tokens["decoding"].Should().NotBeEmpty();
        h.Engine.Abort("decoding").Should().BeTrue();
        h.Step();
        h.Finished["decoding"].Should().Be(FinishReason.Abort);
        h.Engine.Pool.UsedCount.Should().Be(0);
        h.Engine.HasWork.Should().BeFalse();
        h.Engine.Abort("decoding").Should().BeFalse("it is gone");
    }

    [Fact]
    public void A_prefix_hit_skips_the_cached_tokens_and_changes_nothing()
    {
        using var h = new EngineHarness(_model, blocks: 64, blockSize: 16);
        h.Engine.Add(Request("first", 100, 8, seed: 3));
        h.Run([]);
        var computed = h.Engine.Metrics.PromptTokensComputed;
        computed.Should().Be(100);

        h.Engine.Add(Request("second", 100, 8, seed: 3) with { Id = "second" });
        h.Run([]);
        h.Engine.Metrics.PrefixHitTokens.Should().Be(96, "six full blocks of the 100-token prompt were cached");
        (h.Engine.Metrics.PromptTokensComputed - computed).Should().Be(4, "only the tokens past the cached blocks are computed");
        h.Tokens["second"].Should().Equal(h.Tokens["first"]);
        h.Engine.Metrics.PromptTokens.Should().Be(200, "each prompt counts once, cached or not");
    }

    [Fact]
    public void Bad_requests_are_refused_with_a_message_that_names_the_problem()
    {
        using var h = new EngineHarness(_model, blocks: 4, blockSize: 16);
        var e = h.Engine;
        FluentActions.Invoking(() => e.Add(Request("x", 0, 4))).Should().Throw<ArgumentException>().WithMessage("*no tokens*");
        FluentActions.Invoking(() => e.Add(Request("x", 256, 4))).Should().Throw<ArgumentException>().WithMessage("*context*");
        FluentActions.Invoking(() => e.Add(Request("x", 60, 20))).Should().Throw<ArgumentException>().WithMessage("*KV blocks*");
        FluentActions.Invoking(() => e.Add(Request("x", 2, 4) with { PromptTokens = [1, 9999] })).Should().Throw<ArgumentException>().WithMessage("*9999*");
        FluentActions.Invoking(() => e.Add(Request("x", 2, 4) with { Options = new SamplingOptions { TopP = 2 } })).Should().Throw<ArgumentException>().WithMessage("*top_p*");
        e.Add(Request("x", 2, 4));
        FluentActions.Invoking(() => e.Add(Request("x", 2, 4))).Should().Throw<ArgumentException>().WithMessage("*already*");
    }

    [Fact]
    public void Random_add_abort_and_step_never_leak_a_block()
    {
        var random = new Random(1234);
        using var h = new EngineHarness(_model, blocks: 24, blockSize: 8, maxBatchTokens: 24,
            options: new EngineOptions { MaxSequences = 6 });
        var live = new List<string>();
        var added = 0;
        for (var op = 0; op < 3000; op++)
        {
            var roll = random.Next(10);
            if (roll < 3)
            {
                var id = $"r{added}";
                h.Engine.Add(Request(id, random.Next(1, 40), random.Next(1, 30), seed: added++));
                live.Add(id);
            }
            else if (roll < 4 && live.Count > 0)
            {
                var id = live[random.Next(live.Count)];
                h.Engine.Abort(id);
            }
            else
            {
                h.Step(); // checks the pool's invariant after every step
            }
            live.RemoveAll(h.Finished.ContainsKey);
            (h.Engine.Pool.UsedCount + h.Engine.Pool.CachedCount + h.Engine.Pool.FreeCount).Should().Be(24);
        }
        foreach (var id in live.ToList()) h.Engine.Abort(id);
        h.Step();
        h.Engine.Pool.CheckInvariants();
        h.Engine.Pool.UsedCount.Should().Be(0);
        h.Finished.Should().HaveCount(added);
        h.Engine.Metrics.Preemptions.Should().BeGreaterThan(0, "24 blocks of 8 tokens are too few for six sequences of up to 69 tokens");
    }

    [Fact]
    public void Kv_events_report_blocks_as_they_are_cached_and_evicted()
    {
        using var h = new EngineHarness(_model, blocks: 8, blockSize: 16, options: new EngineOptions { KvEvents = true });
        h.Engine.Add(Request("a", 40, 8, seed: 1)); // 48 tokens: three full blocks
        h.Run([]);
        var events = new List<Grid.Engine.KvCache.KvEvent>();
        h.Engine.DrainKvEvents(events);
        events.Where(e => e.Kind == Grid.Engine.KvCache.KvEventKind.Stored).Should().HaveCount(2, "blocks fill as their tokens are computed: two full blocks of 16 before the last token");
        events.Clear();

        h.Engine.Add(Request("b", 100, 20, seed: 2)); // needs all 8 blocks: evicts a's cached ones
        h.Run([]);
        h.Engine.DrainKvEvents(events);
        events.Should().Contain(e => e.Kind == Grid.Engine.KvCache.KvEventKind.Removed);
        h.Engine.DrainKvEvents(events).Should().Be(0, "draining empties the queue");
    }

    [Fact]
    public void Lower_priority_values_go_first_and_equal_ones_first_come_first_served()
    {
        using var h = new EngineHarness(_model, blocks: 16, blockSize: 16, options: new EngineOptions { MaxSequences = 1 });
        h.Engine.Add(Request("p5-1st", 3, 2) with { Priority = 5 });
        h.Engine.Add(Request("p5-2nd", 3, 2) with { Priority = 5 });
        h.Engine.Add(Request("urgent", 3, 2) with { Priority = 0 });
        h.Engine.Add(Request("p5-3rd", 3, 2) with { Priority = 5 });
        var order = new List<string>();
        while (h.Engine.HasWork)
            foreach (var o in h.Engine.Step())
                if (o.Finish is not null) order.Add(o.Id);
        order.Should().Equal("urgent", "p5-1st", "p5-2nd", "p5-3rd");
    }

    [Fact]
    public void Under_memory_pressure_the_lowest_priority_sequence_is_preempted()
    {
        // Two sequences that cannot both grow to full length in 6 blocks of 8: the urgent one,
        // admitted second, must keep running while the other gives way.
        using var h = new EngineHarness(_model, blocks: 6, blockSize: 8, options: new EngineOptions { MaxSequences = 2 });
        h.Engine.Add(Request("relaxed", 4, 36) with { Priority = 5 });
        h.Step();
        h.Engine.Add(Request("urgent", 4, 36) with { Priority = 0 });
        var order = new List<string>();
        while (h.Engine.HasWork)
            foreach (var o in h.Engine.Step())
                if (o.Finish is not null) order.Add(o.Id);
        h.Engine.Metrics.Preemptions.Should().BeGreaterThan(0);
        order.Should().Equal("urgent", "relaxed");
    }

    [Fact]
    public void A_waiting_request_that_does_not_fit_holds_no_cached_blocks_and_evicts_nothing()
    {
        using var h = new EngineHarness(_model, blocks: 8, blockSize: 16);
        h.Engine.Add(Request("a", 40, 4, seed: 1));
        h.Run([]);
        var cached = h.Engine.Pool.CachedCount;
        cached.Should().BeGreaterThan(0);
        h.Engine.Add(Request("runner", 10, 80, seed: 2)); // holds 6 blocks once grown
        for (var i = 0; i < 70; i++) h.Step();
        h.Engine.Add(Request("big", 60, 30, seed: 3)); // needs 6 blocks: must wait
        h.Step();
        h.Engine.Metrics.Waiting.Should().Be(1);
        h.Engine.Pool.Evictions.Should().Be(0, "a failed admission must not evict the prefix cache");
        h.Run([]);
        h.Finished.Should().ContainKeys("runner", "big");
    }

    [Fact]
    public void Arrival_times_from_the_future_are_refused()
    {
        using var h = new EngineHarness(_model, blocks: 4);
        FluentActions.Invoking(() => h.Engine.Add(Request("x", 2, 2) with { ArrivalTime = TimeSpan.FromSeconds(5) }))
            .Should().Throw<ArgumentException>().WithMessage("*arrival time*");
        FluentActions.Invoking(() => h.Engine.Add(null!)).Should().Throw<ArgumentNullException>();
    }
}
