using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Grains.Tests;

/// <summary>
/// Grain storage shared by every silo in the process, standing in for a durable store (Redis, SQL):
/// Orleans' memory storage keeps state in grains, which die with their silo. States are stored
/// serialized, so no silo shares a live object with another.
/// </summary>
public sealed class SharedGrainStorage(Serializer serializer) : IGrainStorage
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
        var version = Store.AddOrUpdate((stateName, grainId),
            _ => (serializer.SerializeToArray(grainState.State), 1),
            (_, old) => (serializer.SerializeToArray(grainState.State), old.Version + 1)).Version;
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
