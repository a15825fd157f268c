using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Bench.EndToEnd;

/// <summary>The closed loop through the silo's OpenAI-compatible API: streamed /v1/completions, read as server-sent events.</summary>
public static class HttpLoop
{
    public static async Task<List<StreamRecord>> Run(Uri baseUri, string model, IReadOnlyList<string> prompts, int streams, int outputTokens)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = streams * 2 }) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
        return await ClosedLoop.Run(prompts.Count, streams, async (i, firstToken) =>
        {
            var body = new
            {
                model, prompt = prompts[i], max_tokens = outputTokens, temperature = 0, ignore_eos = true, stream = true,
                stream_options = new { include_usage = true },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            (int, int) usage = default;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
                using var chunk = JsonDocument.Parse(line.AsMemory(6));
                if (chunk.RootElement.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                    && choices[0].GetProperty("text").GetString() is { Length: > 0 }) firstToken();
                if (chunk.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
                    usage = (u.GetProperty("prompt_tokens").GetInt32(), u.GetProperty("completion_tokens").GetInt32());
            }
            return usage;
        });
    }
}
