using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Grains.Tests;

/// <summary>
/// Grain storage shared by every silo in the process, standing in for a durable store (Redis, SQL):
/// Orleans' memory storage keeps state in grains, which die with their silo. States are stored
/// serialized, so no silo shares a live object with another. It refuses the states <paramref name="refuses"/> picks, as
/// Azure Table storage refuses one over 960 KB.
/// </summary>
public sealed class SharedGrainStorage(Serializer serializer, Func<object?, bool>? refuses = null) : IGrainStorage
{
    private static readonly ConcurrentDictionary<(string, GrainId), (byte[] Bytes, long Version)> Store = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Store.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Bytes);
            grainState.ETag = stored.Version.ToString();
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (refuses?.Invoke(grainState.State) == true)
            throw new ArgumentOutOfRangeException(nameof(grainState), $"the state of {grainId} is too large for this store");
        var bytes = serializer.SerializeToArray(grainState.State);
        var version = Store.AddOrUpdate((stateName, grainId), _ => (bytes, 1), (_, old) => (bytes, old.Version + 1)).Version;
        grainState.ETag = version.ToString();
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Store.TryRemove((stateName, grainId), out _);
        grainState.RecordExists = false;
        grainState.ETag = null;
        return Task.CompletedTask;
    }
}
