namespace Grid.Api.OpenAi;

/// <summary>GET /v1/models.</summary>
public sealed record ModelList(IReadOnlyList<ModelObject> Data)
{
    public string Object => "list";
}

public sealed record ModelObject(string Id, long Created, string OwnedBy)
{
    public string Object => "model";
}
