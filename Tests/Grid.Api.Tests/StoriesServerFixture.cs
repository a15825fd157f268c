namespace Grid.Api.Tests;

/// <summary>One server over stories260K shared by a test class; null when the model files are missing.</summary>
public sealed class StoriesServerFixture : IAsyncLifetime
{
    private ApiServer? _server;

    /// <summary>The running server, or a skip naming what to set.</summary>
    public ApiServer Server
    {
        get
        {
            Skip.If(_server is null, TestModels.SkipMessage(TestModels.StoriesGguf));
            return _server!;
        }
    }

    public async Task InitializeAsync()
    {
        if (TestModels.Path(TestModels.StoriesGguf) is { } path) _server = await ApiServer.Start(path);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
