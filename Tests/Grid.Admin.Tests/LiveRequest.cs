using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Admin.Tests;

/// <summary>One streamed /v1/completions request, read in the background: how many tokens came and how it ended.</summary>
public sealed class LiveRequest : IAsyncDisposable
{
    private readonly CancellationTokenSource _hangUp = new();
    private int _tokens;

    public Task Finished { get; }
    public int Tokens => Volatile.Read(ref _tokens);
    public string? FinishReason { get; private set; }
    public int? CompletionTokens { get; private set; }
    public int? CachedPromptTokens { get; private set; }
    public string? Error { get; private set; }

    private LiveRequest(HttpClient http, object body) => Finished = Task.Run(() => Read(http, body));

    public static LiveRequest Start(HttpClient http, string model, string prompt, int maxTokens) =>
        new(http, new
        {
            model, prompt, max_tokens = maxTokens, temperature = 0, ignore_eos = true, stream = true,
            stream_options = new { include_usage = true },
        });

    /// <summary>Sends a request and waits for its end.</summary>
    public static async Task<LiveRequest> Run(HttpClient http, string model, string prompt, int maxTokens)
    {
        var request = Start(http, model, prompt, maxTokens);
        await request.Finished.WaitAsync(TimeSpan.FromMinutes(1));
        return request;
    }

    private async Task Read(HttpClient http, object body)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _hangUp.Token);
            if (!response.IsSuccessStatusCode)
            {
                Error = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                return;
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_hangUp.Token));
            while (await reader.ReadLineAsync(_hangUp.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
                using var chunk = JsonDocument.Parse(line.AsMemory(6));
                var root = chunk.RootElement;
                if (root.TryGetProperty("error", out var error)) Error = error.ToString();
                if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0)
                {
                    var choice = choices[0];
                    if (choice.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 }) Interlocked.Increment(ref _tokens);
                    if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String) FinishReason = finish.GetString();
                }
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    CompletionTokens = usage.GetProperty("completion_tokens").GetInt32();
                    if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                        && details.TryGetProperty("cached_tokens", out var cached)) CachedPromptTokens = cached.GetInt32();
                }
            }
        }
        catch (OperationCanceledException) when (_hangUp.IsCancellationRequested)
        {
            Error = "hung up";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            Error = e.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _hangUp.CancelAsync();
        await Finished.ContinueWith(_ => { }, TaskScheduler.Default);
        _hangUp.Dispose();
    }
}
