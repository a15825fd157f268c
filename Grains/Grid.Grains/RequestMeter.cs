using System.Diagnostics;

namespace Grid.Grains;

/// <summary>
/// What a request grain records of its request's life: the gen_ai.server.* histograms (duration, time to first token,
/// time per output token), token usage, how it ended, and its migrations. Times are measured in this activation only:
/// a grain reactivated on another silo mid-request no longer knows when it started, and records no times for it.
/// </summary>
/// <remarks>
/// error.type, when a request did not end by stop or length: "cancelled" (client or operator) or "grid_error" (no GPU
/// admitted it, or the engine refused it: the API answers those with the error type grid_error too).
/// </remarks>
public sealed class RequestMeter
{
    private readonly GridMetrics _metrics;
    private readonly string _model;
    private readonly string _operation;
    private long? _started;
    private long? _firstToken;

    internal RequestMeter(GridMetrics metrics, GenerationRequest request)
    {
        _metrics = metrics;
        _model = request.Model;
        _operation = request.Operation ?? (request.Text?.Messages is not null ? "chat" : "text_completion");
    }

    /// <summary>The request was submitted at <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Started(long timestamp) => _started = timestamp;

    /// <summary>Tokens arrived: the first of them, when the request had none, is its first token.</summary>
    public void Delivered(int before, int after)
    {
        if (before == 0 && after > 0 && _started is not null) _firstToken ??= Stopwatch.GetTimestamp();
    }

    /// <summary>The request was admitted again after its first admission, for <paramref name="reason"/>.</summary>
    public void Migrated(string reason) =>
        _metrics.Migrations.Add(1, new KeyValuePair<string, object?>("model_name", _model), new KeyValuePair<string, object?>("grid.migration.reason", reason));

    public void Ended(GenerationFinish finish, int inputTokens, int outputTokens)
    {
        var tags = Tags();
        _metrics.RequestSuccess.Add(1, new KeyValuePair<string, object?>("model_name", _model),
            new KeyValuePair<string, object?>("finished_reason", finish.ToString().ToLowerInvariant()));
        var input = tags;
        input.Add("gen_ai.token.type", "input");
        _metrics.TokenUsage.Record(inputTokens, input);
        var output = tags;
        output.Add("gen_ai.token.type", "output");
        _metrics.TokenUsage.Record(outputTokens, output);
        if (_started is not { } started) return;

        var end = Stopwatch.GetTimestamp();
        var duration = Stopwatch.GetElapsedTime(started, end).TotalSeconds;
        var success = finish is GenerationFinish.Stop or GenerationFinish.Length;
        if (!success) tags.Add(new("error.type", finish == GenerationFinish.Abort ? "cancelled" : "grid_error"));
        _metrics.RequestDuration.Record(duration, tags);
        if (!success || _firstToken is not { } first) return;

        var ttft = Stopwatch.GetElapsedTime(started, first).TotalSeconds;
        _metrics.TimeToFirstToken.Record(ttft, tags);
        // The decode phase: what came after the first token, per token after it.
        if (outputTokens > 1) _metrics.TimePerOutputToken.Record((duration - ttft) / (outputTokens - 1), tags);
    }

    private TagList Tags() => new()
    {
        { "gen_ai.operation.name", _operation },
        { "gen_ai.provider.name", GridMetrics.Provider },
        { "gen_ai.request.model", _model },
        // The grid serves the model asked for under that name.
        { "gen_ai.response.model", _model },
    };
}
