using Polly;
using Polly.Retry;

namespace Grid.Client;

/// <summary>
/// The Polly pipelines: repeatable calls get a per-attempt deadline inside jittered exponential retries;
/// stream reopening gets the retries alone (a stream's own deadline is its idle timeout).
/// </summary>
internal static class Resilience
{
    public static ResiliencePipeline ForCalls(GridChatClientOptions o) =>
        Retries(new ResiliencePipelineBuilder(), o).AddTimeout(o.AttemptTimeout).Build();

    public static ResiliencePipeline ForStreams(GridChatClientOptions o) => Retries(new ResiliencePipelineBuilder(), o).Build();

    private static ResiliencePipelineBuilder Retries(ResiliencePipelineBuilder builder, GridChatClientOptions o) =>
        o.MaxRetries == 0 ? builder : builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(Transient.Is),
            MaxRetryAttempts = o.MaxRetries,
            Delay = o.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            MaxDelay = TimeSpan.FromSeconds(5),
        });
}
