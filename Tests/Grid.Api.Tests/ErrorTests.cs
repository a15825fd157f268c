using System.Net;
using System.Text.Json;

namespace Grid.Api.Tests;

public class ErrorTests(StoriesServerFixture fixture) : IClassFixture<StoriesServerFixture>
{
    private const string Msg = """[{"role":"user","content":"Hi"}]""";

    [SkippableTheory]
    [InlineData("v1/chat/completions", "{not json", 400, null, "invalid_json")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":"Hi"}""", 400, "messages", "invalid_json")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":[]}""", 400, "messages", "invalid_value")]
    [InlineData("v1/chat/completions", """{"messages":MSG}""", 400, "model", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"max_tokens":0}""", 400, "max_tokens", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"max_completion_tokens":-5}""", 400, "max_completion_tokens", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"temperature":2.5}""", 400, "temperature", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"temperature":-1}""", 400, "temperature", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"top_p":1.5}""", 400, "top_p", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"top_p":0}""", 400, "top_p", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"n":0}""", 400, "n", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"n":100}""", 400, "n", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":MSG,"top_k":-1}""", 400, "top_k", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":[{"role":"wizard","content":"Hi"}]}""", 400, "messages[0].role", "invalid_value")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", 400, "messages[0].content", "invalid_json")]
    [InlineData("v1/chat/completions", """{"model":"gpt-9","messages":MSG}""", 404, "model", "model_not_found")]
    [InlineData("v1/chat/completions", """{"model":"gpt-9","messages":MSG,"stream":true}""", 404, "model", "model_not_found")]
    [InlineData("v1/completions", """{"model":"stories260K"}""", 400, "prompt", "invalid_value")]
    [InlineData("v1/completions", """{"model":"stories260K","prompt":"Hi","max_tokens":-1}""", 400, "max_tokens", "invalid_value")]
    public async Task BadInputGetsAnOpenAiError(string path, string body, int status, string? param, string code)
    {
        var server = fixture.Server;
        var response = await Sse.Post(server.Client, path, body.Replace("MSG", Msg));
        await ShouldBeError(response, status, param, code);
    }

    [SkippableFact]
    public async Task PromptLongerThanTheContextIsRefused()
    {
        var server = fixture.Server;
        var prompt = string.Concat(Enumerable.Repeat("Once upon a time there was a dog. ", 200));
        var response = await Sse.Post(server.Client, "v1/completions", new { model = ApiServer.ModelId, prompt, max_tokens = 4 });
        await ShouldBeError(response, 400, "prompt", "context_length_exceeded");
        var chat = await Sse.Post(server.Client, "v1/chat/completions",
            new { model = ApiServer.ModelId, messages = new[] { new { role = "user", content = prompt } }, stream = true });
        await ShouldBeError(chat, 400, "messages", "context_length_exceeded");
    }

    public static async Task ShouldBeError(HttpResponseMessage response, int status, string? param, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var doc = JsonDocument.Parse(text);
        var error = doc.RootElement.GetProperty("error");
        error.GetProperty("message").GetString().Should().NotBeNullOrWhiteSpace();
        error.GetProperty("type").GetString().Should().Be("invalid_request_error");
        error.GetProperty("code").GetString().Should().Be(code);
        var p = error.GetProperty("param");
        if (param is null) p.ValueKind.Should().Be(JsonValueKind.Null);
        else p.GetString().Should().Be(param);
    }
}
