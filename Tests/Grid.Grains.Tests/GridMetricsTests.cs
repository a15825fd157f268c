using System.Diagnostics.Metrics;
using Grid.Engine.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Grains.Tests;

/// <summary>The grid's instruments: names, units and kinds as the conventions say, and what they record with which attributes.</summary>
public sealed class GridMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly GridMetrics _metrics;
    private readonly MeterListener _listener = new();
    private readonly List<Recorded> _recorded = [];
    private readonly Dictionary<string, Instrument> _instruments = [];

    public GridMetricsTests()
    {
        _metrics = new GridMetrics(_services.GetRequiredService<IMeterFactory>());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this test's meter: other tests' silos have meters of the same name.
            if (instrument.Meter != _metrics.Meter) return;
            lock (_instruments) _instruments[instrument.Name] = instrument;
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    private void Record(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_recorded) _recorded.Add(new Recorded(i.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));
    }

    private List<Recorded> Of(string name)
    {
        lock (_recorded) return _recorded.Where(r => r.Name == name).ToList();
    }

    [Theory]
    [InlineData("gen_ai.server.request.duration", "s", typeof(Histogram<double>))]
    [InlineData("gen_ai.server.time_to_first_token", "s", typeof(Histogram<double>))]
    [InlineData("gen_ai.server.time_per_output_token", "s", typeof(Histogram<double>))]
    [InlineData("gen_ai.server.token.usage", "{token}", typeof(Histogram<long>))]
    [InlineData("vllm.num_requests_running", "{request}", typeof(ObservableGauge<double>))]
    [InlineData("vllm.num_requests_waiting", "{request}", typeof(ObservableGauge<double>))]
    [InlineData("vllm.kv_cache_usage_perc", null, typeof(ObservableGauge<double>))]
    [InlineData("vllm.prompt_tokens", "{token}", typeof(Counter<long>))]
    [InlineData("vllm.generation_tokens", "{token}", typeof(Counter<long>))]
    [InlineData("vllm.num_preemptions", "{preemption}", typeof(Counter<long>))]
    [InlineData("vllm.prefix_cache_queries", "{token}", typeof(Counter<long>))]
    [InlineData("vllm.prefix_cache_hits", "{token}", typeof(Counter<long>))]
    [InlineData("vllm.iteration_tokens_total", "{token}", typeof(Histogram<long>))]
    [InlineData("vllm.request_queue_time", "s", typeof(Histogram<double>))]
    [InlineData("vllm.request_success", "{request}", typeof(Counter<long>))]
    [InlineData("grid.request.migrations", "{request}", typeof(Counter<long>))]
    [InlineData("grid.kv_cache.blocks", "{block}", typeof(ObservableGauge<long>))]
    public void Instruments_are_named_as_the_conventions_say(string name, string? unit, Type kind)
    {
        _metrics.Meter.Name.Should().Be("Grid");
        lock (_instruments)
        {
            _instruments.Should().ContainKey(name);
            _instruments[name].Unit.Should().Be(unit);
            _instruments[name].GetType().Should().Be(kind);
        }
    }

    [Fact]
    public void Semantic_convention_histograms_carry_their_bucket_boundaries()
    {
        Histogram<double> ttft;
        lock (_instruments) ttft = (Histogram<double>)_instruments["gen_ai.server.time_to_first_token"];
        ttft.Advice!.HistogramBucketBoundaries.Should().Equal(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
    }

    [Fact]
    public void A_finished_request_records_duration_first_token_per_token_and_usage()
    {
        var meter = _metrics.Request(new GenerationRequest("m", [1, 2, 3], new GenerationOptions()));
        meter.Started(System.Diagnostics.Stopwatch.GetTimestamp());
        meter.Delivered(0, 1);
        meter.Delivered(1, 5);
        meter.Ended(GenerationFinish.Length, 3, 5);

        var duration = Of("gen_ai.server.request.duration").Should().ContainSingle().Subject;
        duration.Tags.Should().Contain(new Dictionary<string, string?>
        {
            ["gen_ai.operation.name"] = "text_completion", ["gen_ai.provider.name"] = "grid",
            ["gen_ai.request.model"] = "m", ["gen_ai.response.model"] = "m",
        }).And.NotContainKey("error.type");
        var ttft = Of("gen_ai.server.time_to_first_token").Should().ContainSingle().Subject;
        ttft.Value.Should().BeInRange(0, duration.Value);
        Of("gen_ai.server.time_per_output_token").Should().ContainSingle().Which.Value.Should().BeApproximately((duration.Value - ttft.Value) / 4, 1e-9);
        Of("gen_ai.server.token.usage").Select(r => (r.Tags["gen_ai.token.type"], r.Value)).Should().BeEquivalentTo(new[] { ("input", 3.0), ("output", 5.0) });
        Of("vllm.request_success").Should().ContainSingle().Which.Tags.Should().Contain("finished_reason", "length").And.Contain("model_name", "m");
    }

    [Fact]
    public void A_cancelled_request_records_its_duration_with_an_error_type_and_no_token_times()
    {
        var meter = _metrics.Request(GenerationRequest.FromText("m", PromptText.Chat(new ChatTurn("user", "hi")), new GenerationOptions()));
        meter.Started(System.Diagnostics.Stopwatch.GetTimestamp());
        meter.Delivered(0, 2);
        meter.Ended(GenerationFinish.Abort, 4, 2);

        Of("gen_ai.server.request.duration").Should().ContainSingle().Which.Tags.Should()
            .Contain("error.type", "cancelled").And.Contain("gen_ai.operation.name", "chat");
        Of("gen_ai.server.time_to_first_token").Should().BeEmpty("only successful responses count");
        Of("gen_ai.server.time_per_output_token").Should().BeEmpty();
    }

    [Fact]
    public void A_request_taken_over_mid_way_records_usage_but_no_times()
    {
        var meter = _metrics.Request(new GenerationRequest("m", [1], new GenerationOptions()) { Operation = "chat" });
        meter.Delivered(3, 6);
        meter.Migrated("reactivated");
        meter.Ended(GenerationFinish.Stop, 1, 6);

        Of("gen_ai.server.request.duration").Should().BeEmpty("the grain does not know when the request started");
        Of("gen_ai.server.token.usage").Should().HaveCount(2).And.OnlyContain(r => r.Tags["gen_ai.operation.name"] == "chat");
        Of("grid.request.migrations").Should().ContainSingle().Which.Tags.Should().Contain("grid.migration.reason", "reactivated");
    }

    [Fact]
    public void The_engine_meter_passes_on_what_changed_after_each_step()
    {
        var engine = _metrics.ForEngine("node/0", "m");
        Of("vllm.prefix_cache_hits").Should().ContainSingle("the series starts at 0").Which.Value.Should().Be(0);
        var m = new EngineMetrics { Steps = 1, PromptTokens = 40, PromptTokensComputed = 40, GenerationTokens = 1, PrefixQueryTokens = 40 };
        m.QueueTime.Record(0.25);
        engine.AfterStep(m);
        m.Steps = 2;
        m.PromptTokens = 80;
        m.PromptTokensComputed = 48;
        m.GenerationTokens = 3;
        m.PrefixQueryTokens = 80;
        m.PrefixHitTokens = 32;
        m.Preemptions = 1;
        m.QueueTime.Record(0.5);
        engine.AfterStep(m);
        engine.AfterStep(m);

        Of("vllm.prompt_tokens").Select(r => r.Value).Should().Equal(0, 40, 40);
        Of("vllm.generation_tokens").Select(r => r.Value).Should().Equal(0, 1, 2);
        Of("vllm.prefix_cache_hits").Select(r => r.Value).Should().Equal(0, 32);
        Of("vllm.num_preemptions").Select(r => r.Value).Should().Equal(0, 1);
        Of("vllm.iteration_tokens_total").Select(r => r.Value).Should().Equal([41, 10], "prompt tokens computed plus tokens generated, once per step");
        Of("vllm.request_queue_time").Select(r => r.Value).Should().Equal(0.25, 0.5);
        _recorded.Where(r => r.Name.StartsWith("vllm.")).Should().OnlyContain(r => r.Tags["gpu"] == "node/0" && r.Tags["model_name"] == "m");
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private sealed record Recorded(string Name, double Value, Dictionary<string, string?> Tags);
}
