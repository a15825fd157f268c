using System.Net.Http.Headers;

namespace Grid.Api.Tests;

public class AuthTests
{
    [SkippableFact]
    public async Task ConfiguredKeysAreRequiredOnV1ButNotOnHealth()
    {
        var path = TestModels.Path(TestModels.StoriesGguf);
        Skip.If(path is null, TestModels.SkipMessage(TestModels.StoriesGguf));
        await using var server = await ApiServer.Start(path!, new OpenAiApiOptions { ApiKeys = ["sekrit"] });
        var body = new { model = ApiServer.ModelId, prompt = "Once", max_tokens = 2 };

        await ErrorTests.ShouldBeError(await Sse.Post(server.Client, "v1/completions", body), 401, null, "invalid_api_key");
        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        await ErrorTests.ShouldBeError(await Sse.Post(server.Client, "v1/completions", body), 401, null, "invalid_api_key");
        await ErrorTests.ShouldBeError(await server.Client.GetAsync("v1/models"), 401, null, "invalid_api_key");
        (await server.Client.GetAsync("health/live")).IsSuccessStatusCode.Should().BeTrue();

        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sekrit");
        (await Sse.Post(server.Client, "v1/completions", body)).IsSuccessStatusCode.Should().BeTrue();
        (await server.Client.GetAsync("v1/models")).IsSuccessStatusCode.Should().BeTrue();
    }
}
