using System.Text.Json;

namespace Grid.Api.Tests;

public class CompletionsTests(StoriesServerFixture fixture) : IClassFixture<StoriesServerFixture>
{
    [SkippableFact]
    public async Task GreedyCompletionMatchesTheReferenceText()
    {
        var server = fixture.Server;
        var reference = Reference("Once upon a time");
        var response = await Sse.Post(server.Client, "v1/completions",
            new { model = ApiServer.ModelId, prompt = "Once upon a time", temperature = 0, max_tokens = 64 });

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        root.GetProperty("object").GetString().Should().Be("text_completion");
        root.GetProperty("created").ValueKind.Should().Be(JsonValueKind.Number);
        var choice = root.GetProperty("choices")[0];
        choice.GetProperty("text").GetString().Should().Be(reference.Text);
        choice.GetProperty("finish_reason").GetString().Should().Be("length");
        var usage = root.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(reference.PromptTokens);
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(64);
        usage.GetProperty("total_tokens").GetInt32().Should().Be(reference.PromptTokens + 64);
    }

    [SkippableFact]
    public async Task StreamedCompletionConcatenatesToTheReferenceText()
    {
        var server = fixture.Server;
        var reference = Reference("Once upon a time");
        var response = await Sse.Post(server.Client, "v1/completions",
            new { model = ApiServer.ModelId, prompt = "Once upon a time", temperature = 0, max_tokens = 64, stream = true });

        var events = await Sse.ReadAll(response);
        events[^1].Should().Be("[DONE]");
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString())).Should().Be(reference.Text);
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
        chunks[..^1].Should().OnlyContain(c => c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.Null);
    }

    [SkippableFact]
    public async Task NChoicesWithASeedAreReproducible()
    {
        var server = fixture.Server;
        var body = new { model = ApiServer.ModelId, prompt = "Once upon a time", temperature = 1, max_tokens = 16, n = 3, seed = 42 };
        async Task<string[]> Texts()
        {
            using var doc = JsonDocument.Parse(await (await Sse.Post(server.Client, "v1/completions", body)).Content.ReadAsStringAsync());
            return doc.RootElement.GetProperty("choices").EnumerateArray()
                .OrderBy(c => c.GetProperty("index").GetInt32()).Select(c => c.GetProperty("text").GetString()!).ToArray();
        }

        var first = await Texts();
        first.Should().HaveCount(3);
        first.Distinct().Should().HaveCountGreaterThan(1, "each choice samples with its own seed");
        (await Texts()).Should().Equal(first);
    }

    public sealed record Expected(string Text, int PromptTokens);

    /// <summary>reference.json's greedy text for <paramref name="prompt"/>, minus the prompt.</summary>
    public static Expected Reference(string prompt)
    {
        var path = TestModels.Path("stories260K/reference.json");
        Skip.If(path is null, TestModels.SkipMessage("stories260K/reference.json"));
        using var doc = JsonDocument.Parse(File.ReadAllText(path!));
        var r = doc.RootElement.EnumerateArray().First(r => r.GetProperty("prompt").GetString() == prompt && r.GetProperty("temperature").GetSingle() == 0);
        return new Expected(r.GetProperty("text").GetString()![prompt.Length..], r.GetProperty("prompt_tokens").GetArrayLength());
    }
}
