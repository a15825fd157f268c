namespace Grid.Silo.Hosting;

/// <summary>
/// The silo's model, engine and API settings, section "Grid" of appsettings.json, environment (Grid__Model) or command
/// line (--model). The same section also binds <see cref="GridClusterOptions"/> and <see cref="GridDeviceOptions"/>.
/// </summary>
public sealed record GridOptions
{
    public const string Section = "Grid";

    /// <summary>A GGUF file or llama2.c checkpoint; empty serves the built-in demo model.</summary>
    public string? Model { get; init; }

    /// <summary>The llama2.c tokenizer, when not beside the checkpoint.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>The name clients ask for; defaults to the model file's name without extension, or "demo".</summary>
    public string? ModelId { get; init; }

    /// <summary>CPU worker threads; 0 means one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Host memory for the KV cache, in MiB.</summary>
    public int KvCacheMiB { get; init; } = 1024;

    public int MaxSequences { get; init; } = 32;
    public int MaxBatchTokens { get; init; } = 512;

    /// <summary>Bearer keys the API accepts; none means the API is open.</summary>
    public string[] ApiKeys { get; init; } = [];

    /// <summary>
    /// On SIGTERM, how long the requests running on this silo's GPUs and the API streams it serves get to finish before
    /// the rest are handed over to other GPUs (see <see cref="SiloDrain"/>).
    /// </summary>
    public TimeSpan DrainGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest grace accepted: a bare number binds as days ("30" is a month), which is never meant.</summary>
    public static readonly TimeSpan MaxDrainGracePeriod = TimeSpan.FromHours(1);

    /// <summary>Throws naming the first setting that cannot work.</summary>
    public void Validate()
    {
        void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"{Section}:{message}");
        }

        Require(string.IsNullOrEmpty(Model) || File.Exists(Model), $"Model: no such file '{Model}'");
        Require(string.IsNullOrEmpty(Tokenizer) || File.Exists(Tokenizer), $"Tokenizer: no such file '{Tokenizer}'");
        Require(Threads >= 0, $"Threads must be 0 (one per core) or more (got {Threads})");
        Require(KvCacheMiB >= 1, $"KvCacheMiB must be at least 1 (got {KvCacheMiB})");
        Require(MaxSequences is >= 1 and <= 4096, $"MaxSequences must be 1 to 4096 (got {MaxSequences})");
        Require(MaxBatchTokens >= 1, $"MaxBatchTokens must be at least 1 (got {MaxBatchTokens})");
        Require(ApiKeys.All(k => !string.IsNullOrWhiteSpace(k)), "ApiKeys must not hold empty keys");
        Require(DrainGracePeriod >= TimeSpan.Zero && DrainGracePeriod <= MaxDrainGracePeriod,
            $"DrainGracePeriod must be 00:00:00 to {MaxDrainGracePeriod}, written hh:mm:ss (got {DrainGracePeriod}; a bare number means days)");
    }
}
