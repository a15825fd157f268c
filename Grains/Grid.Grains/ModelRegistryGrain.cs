namespace Grid.Grains;

/// <summary>
/// The GPUs serving a model, in memory only: GPU grains re-join on a heartbeat, so a registry
/// reactivated after its silo died fills again within one heartbeat.
/// </summary>
public sealed class ModelRegistryGrain : Grain, IModelRegistryGrain
{
    private readonly SortedSet<string> _gpus = new(StringComparer.Ordinal);

    public Task Join(string gpu)
    {
        _gpus.Add(gpu);
        return Task.CompletedTask;
    }

    public Task Leave(string gpu)
    {
        _gpus.Remove(gpu);
        return Task.CompletedTask;
    }

    public Task<string[]> List() => Task.FromResult(_gpus.ToArray());
}
