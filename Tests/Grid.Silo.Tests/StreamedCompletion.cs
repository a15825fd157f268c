using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Grid.Silo.Tests;

/// <summary>
/// One streamed POST /v1/completions read to its end as a client sees it: the text, the finish reason, the completion
/// tokens of the usage chunk, and the error it ended with instead (an HTTP error, an error event, a cut connection).
/// </summary>
public sealed record StreamedCompletion(string Silo, string Text, string? Finish, int? CompletionTokens, string? Error)
{
    /// <summary>Reads the stream; <paramref name="chunks"/> counts the chunks with text as they come, for a test to wait on.</summary>
    public static async Task<StreamedCompletion> Read(HttpClient http, string silo, object body, StrongBox<int> chunks, CancellationToken ct)
    {
        var text = new StringBuilder();
        string? finish = null;
        int? tokens = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                return new(silo, "", null, null, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var data = line["data: ".Length..];
                if (data == "[DONE]") return new(silo, text.ToString(), finish, tokens, null);
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var error)) return new(silo, text.ToString(), finish, tokens, error.GetRawText());
                foreach (var choice in root.GetProperty("choices").EnumerateArray())
                {
                    text.Append(choice.GetProperty("text").GetString());
                    if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String) finish = f.GetString();
                    Interlocked.Increment(ref chunks.Value);
                }
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    tokens = usage.GetProperty("completion_tokens").GetInt32();
            }
            return new(silo, text.ToString(), finish, tokens, "the stream ended without [DONE]");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return new(silo, text.ToString(), finish, tokens, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A greedy completion of <paramref name="maxTokens"/> tokens whose stream ends with a usage chunk.</summary>
    public static object Body(string model, int maxTokens) => new
    {
        model,
        prompt = "Once upon a time",
        max_tokens = maxTokens,
        temperature = 0,
        ignore_eos = true,
        stream = true,
        stream_options = new { include_usage = true },
    };
}
