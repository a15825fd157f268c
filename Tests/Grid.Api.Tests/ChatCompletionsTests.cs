using System.Net;
using System.Text.Json;

namespace Grid.Api.Tests;

public class ChatCompletionsTests(StoriesServerFixture fixture) : IClassFixture<StoriesServerFixture>
{
    private static object Body(bool stream, int maxTokens = 64) => new
    {
        model = ApiServer.ModelId,
        messages = new object[] { new { role = "system", content = "ignored by a story model" }, new { role = "user", content = "Once upon a time" } },
        temperature = 0,
        max_tokens = maxTokens,
        stream,
        stream_options = stream ? new { include_usage = true } : null,
    };

    [SkippableFact]
    public async Task WholeResponseHasOpenAisShape()
    {
        var server = fixture.Server;
        var reference = CompletionsTests.Reference("Once upon a time");
        var response = await Sse.Post(server.Client, "v1/chat/completions", Body(stream: false));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        root.GetProperty("id").GetString().Should().StartWith("chatcmpl-");
        root.GetProperty("object").GetString().Should().Be("chat.completion");
        root.GetProperty("created").ValueKind.Should().Be(JsonValueKind.Number);
        root.GetProperty("created").GetInt64().Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 60);
        root.GetProperty("model").GetString().Should().Be(ApiServer.ModelId);
        var choices = root.GetProperty("choices");
        choices.GetArrayLength().Should().Be(1);
        var choice = choices[0];
        choice.GetProperty("index").GetInt32().Should().Be(0);
        choice.GetProperty("message").GetProperty("role").GetString().Should().Be("assistant");
        choice.GetProperty("message").GetProperty("content").GetString().Should().Be(reference.Text, "the plain template prompts with the last user message");
        choice.GetProperty("finish_reason").GetString().Should().Be("length");
        choice.GetProperty("logprobs").ValueKind.Should().Be(JsonValueKind.Null);
        var usage = root.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(reference.PromptTokens);
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(64);
        usage.GetProperty("total_tokens").GetInt32().Should().Be(reference.PromptTokens + 64);
    }

    [SkippableFact]
    public async Task StreamHasRoleFirstFinishLastUsageThenDone()
    {
        var server = fixture.Server;
        var reference = CompletionsTests.Reference("Once upon a time");
        var response = await Sse.Post(server.Client, "v1/chat/completions", Body(stream: true));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = await Sse.ReadAll(response);
        events[^1].Should().Be("[DONE]");
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        chunks.Should().OnlyContain(c => c.GetProperty("object").GetString() == "chat.completion.chunk");
        chunks.Select(c => c.GetProperty("id").GetString()).Distinct().Should().ContainSingle();
        chunks.Should().OnlyContain(c => c.GetProperty("created").ValueKind == JsonValueKind.Number);

        var usageChunk = chunks[^1];
        usageChunk.GetProperty("choices").GetArrayLength().Should().Be(0);
        usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(64);
        usageChunk.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().Be(reference.PromptTokens);

        var content = chunks[..^1].Select(c => c.GetProperty("choices")[0]).ToList();
        content[0].GetProperty("delta").GetProperty("role").GetString().Should().Be("assistant");
        content.Skip(1).Should().OnlyContain(c => !Has(c.GetProperty("delta"), "role"));
        content[..^1].Should().OnlyContain(c => c.GetProperty("finish_reason").ValueKind == JsonValueKind.Null);
        content[^1].GetProperty("finish_reason").GetString().Should().Be("length");
        string.Concat(content.Select(c => c.GetProperty("delta").GetProperty("content").GetString())).Should().Be(reference.Text);
        chunks[..^1].Should().OnlyContain(c => !Has(c, "usage"));
    }

    private static bool Has(JsonElement e, string name) => e.TryGetProperty(name, out var _);

    [SkippableFact]
    public async Task LogProbsListEachTokenWithItsAlternatives()
    {
        var server = fixture.Server;
        var response = await Sse.Post(server.Client, "v1/chat/completions", new
        {
            model = ApiServer.ModelId, messages = new[] { new { role = "user", content = new[] { new { type = "text", text = "Once upon a time" } } } },
            temperature = 0, max_tokens = 5, logprobs = true, top_logprobs = 3,
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var choice = doc.RootElement.GetProperty("choices")[0];
        var tokens = choice.GetProperty("logprobs").GetProperty("content").EnumerateArray().ToList();
        tokens.Should().HaveCount(5);
        string.Concat(tokens.Select(t => t.GetProperty("token").GetString())).Should().Be(choice.GetProperty("message").GetProperty("content").GetString());
        foreach (var t in tokens)
        {
            var top = t.GetProperty("top_logprobs").EnumerateArray().ToList();
            top.Should().HaveCount(3);
            // Greedy: the chosen token is the most likely one.
            t.GetProperty("logprob").GetSingle().Should().Be(top[0].GetProperty("logprob").GetSingle());
            t.GetProperty("logprob").GetSingle().Should().BeLessThanOrEqualTo(0);
        }
    }

    [SkippableFact]
    public async Task StreamedChoicesEachOpenWithTheRoleAndFinish()
    {
        var server = fixture.Server;
        var response = await Sse.Post(server.Client, "v1/chat/completions", new
        {
            model = ApiServer.ModelId, messages = new[] { new { role = "user", content = "Once upon a time" } },
            max_tokens = 8, n = 2, seed = 7, stream = true,
        });

        var events = await Sse.ReadAll(response);
        events[^1].Should().Be("[DONE]");
        var choices = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        foreach (var index in new[] { 0, 1 })
        {
            var mine = choices.Where(c => c.GetProperty("index").GetInt32() == index).ToList();
            mine[0].GetProperty("delta").GetProperty("role").GetString().Should().Be("assistant");
            mine.Count(c => c.GetProperty("finish_reason").ValueKind != JsonValueKind.Null).Should().Be(1);
            mine[^1].GetProperty("finish_reason").GetString().Should().BeOneOf("stop", "length");
        }
    }

    [SkippableFact]
    public async Task ModelsAndHealth()
    {
        var server = fixture.Server;
        using var doc = JsonDocument.Parse(await server.Client.GetStringAsync("v1/models"));
        doc.RootElement.GetProperty("object").GetString().Should().Be("list");
        var model = doc.RootElement.GetProperty("data")[0];
        model.GetProperty("id").GetString().Should().Be(ApiServer.ModelId);
        model.GetProperty("object").GetString().Should().Be("model");
        model.GetProperty("created").ValueKind.Should().Be(JsonValueKind.Number);
        (await server.Client.GetAsync("health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await server.Client.GetAsync("health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
