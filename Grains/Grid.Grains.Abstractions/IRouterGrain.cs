namespace Grid.Grains;

/// <summary>Places requests for one model (key: model id) on one of the GPUs that serve it.</summary>
[Alias("grid.IRouterGrain")]
public interface IRouterGrain : IGrainWithStringKey
{
    /// <summary>The chosen GPU grain's key; throws InvalidOperationException when no GPU serves the model.</summary>
    [Alias("Place")]
    Task<string> Place(PlaceRequest request);
}
