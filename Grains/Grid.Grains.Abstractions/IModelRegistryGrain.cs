namespace Grid.Grains;

/// <summary>Which GPUs serve a model (key: model id). GPU grains join on start and again now and then, so a lost registry refills.</summary>
[Alias("grid.IModelRegistryGrain")]
public interface IModelRegistryGrain : IGrainWithStringKey
{
    [Alias("Join")]
    Task Join(string gpu);

    [Alias("Leave")]
    Task Leave(string gpu);

    [Alias("List")]
    Task<string[]> List();
}
