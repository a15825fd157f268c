namespace Grid.Grains;

/// <summary>
/// One device running one engine (key: "node/ordinal", e.g. "silo-a/0"); it lives on the silo named by
/// the node, and is unavailable while that silo is down.
/// </summary>
[Alias("grid.IGpuGrain")]
public interface IGpuGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues a request on the engine; throws ArgumentException when the engine can never run it, and
    /// <see cref="GpuDrainingException"/> (place it elsewhere) while the GPU drains.
    /// </summary>
    [Alias("Admit")]
    Task Admit(AdmitRequest request);

    /// <summary>Stops a request and frees its blocks; unknown ids are ignored.</summary>
    [Alias("Abort")]
    Task Abort(string requestId);

    /// <summary>Whether the engine still holds the request (a request grain's check that its GPU did not lose it).</summary>
    /// <remarks>A call to a silo that just died waits out its timeout: keep it short, this is a liveness probe.</remarks>
    [Alias("Holds"), ResponseTimeout("00:00:02")]
    Task<bool> Holds(string requestId);

    /// <summary>Tokenizes a prompt for this GPU's model (a chat through the model's chat template); throws ArgumentException when it cannot run.</summary>
    [Alias("Encode")]
    Task<EncodedPrompt> Encode(PromptText prompt);

    [Alias("Load"), ResponseTimeout("00:00:02")]
    Task<LoadReport> Load();

    /// <summary>The ids of the requests the engine holds now, running or waiting (a draining silo's list of what to hand over).</summary>
    [Alias("Requests"), ResponseTimeout("00:00:05")]
    Task<string[]> Requests();

    /// <summary>Stops admitting: <see cref="Admit"/> throws <see cref="GpuDrainingException"/> from now on, and the load report says so; running requests finish.</summary>
    [Alias("Drain")]
    Task Drain();

    /// <summary>Drops every cached prefix block no running request holds (the KV block grains hear of it on the next flush); returns how many.</summary>
    [Alias("Evict")]
    Task<int> Evict();
}
