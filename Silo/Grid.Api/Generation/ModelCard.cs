namespace Grid.Api.Generation;

/// <summary>A model the service serves, as GET /v1/models lists it.</summary>
public sealed record ModelCard(string Id, int ContextLength, DateTimeOffset Created, string OwnedBy = "grid");
