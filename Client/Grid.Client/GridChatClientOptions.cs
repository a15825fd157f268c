namespace Grid.Client;

/// <summary>How a <see cref="GridChatClient"/> talks to the grid: the default model and its resilience settings.</summary>
public sealed class GridChatClientOptions
{
    /// <summary>The model asked for when <c>ChatOptions.ModelId</c> is not set.</summary>
    public string Model { get; set; } = "";

    /// <summary>Priority of this client's requests on the GPUs (lower first).</summary>
    public int Priority { get; set; }

    /// <summary>Deadline of one attempt of a call that is safe to repeat (submit, cancel).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a call that is safe to repeat, and reopenings of a broken stream, per request.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter so many clients do not retry in step.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A stream that brings nothing for this long is taken as broken and reopened from its last offset.
    /// Generous: a request queued behind others on a busy GPU is quiet but healthy.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public void Validate()
    {
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentException($"AttemptTimeout must be positive (got {AttemptTimeout})");
        if (MaxRetries < 0) throw new ArgumentException($"MaxRetries must be 0 or more (got {MaxRetries})");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentException($"RetryDelay must not be negative (got {RetryDelay})");
        if (StreamIdleTimeout <= TimeSpan.Zero) throw new ArgumentException($"StreamIdleTimeout must be positive (got {StreamIdleTimeout})");
    }
}
