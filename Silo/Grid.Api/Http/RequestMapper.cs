using Grid.Engine.Chat;
using Grid.Api.Generation;
using Grid.Api.OpenAi;
using Grid.Engine.Sampling;

namespace Grid.Api.Http;

/// <summary>Checks OpenAI requests and turns them into generation calls; bad input becomes a 400 naming the field.</summary>
internal static class RequestMapper
{
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static ParsedRequest Chat(ChatCompletionRequest r, OpenAiApiOptions api)
    {
        if (r.Messages is null || r.Messages.Count == 0)
            throw ApiException.BadRequest("messages must be a non-empty array", "messages");
        var messages = new List<ChatMessage>(r.Messages.Count);
        for (var i = 0; i < r.Messages.Count; i++)
        {
            var m = r.Messages[i];
            if (m is null || m.Role is null || !Roles.Contains(m.Role))
                throw ApiException.BadRequest($"messages[{i}].role must be one of {string.Join(", ", Roles)}", $"messages[{i}].role");
            // "developer" is the newer name for the system role.
            messages.Add(new ChatMessage(m.Role == "developer" ? "system" : m.Role, m.Content ?? ""));
        }
        if (r.TopLogprobs is { } top && (top < 0 || top > SamplingOptions.MaxLogProbs))
            throw ApiException.BadRequest($"top_logprobs must be in [0, {SamplingOptions.MaxLogProbs}]", "top_logprobs");
        if (r.TopLogprobs is not null && r.Logprobs != true)
            throw ApiException.BadRequest("top_logprobs needs logprobs set to true", "top_logprobs");
        int? logProbs = r.Logprobs == true ? r.TopLogprobs ?? 0 : null;
        var maxTokens = r.MaxCompletionTokens ?? r.MaxTokens;
        var param = r.MaxCompletionTokens is not null ? "max_completion_tokens" : "max_tokens";
        var (call, n) = Common(r, maxTokens, param, logProbs, api);
        return Parsed(r, call with { Messages = messages }, n, logProbs);
    }

    public static ParsedRequest Completion(CompletionRequest r, OpenAiApiOptions api)
    {
        if (r.Prompt is null) throw ApiException.BadRequest("prompt is required", "prompt");
        if (r.Prompt.Count != 1) throw ApiException.BadRequest("prompt must be one string (batches of prompts are not supported)", "prompt");
        if (r.Logprobs is { } lp && (lp < 0 || lp > SamplingOptions.MaxLogProbs))
            throw ApiException.BadRequest($"logprobs must be in [0, {SamplingOptions.MaxLogProbs}]", "logprobs");
        var (call, n) = Common(r, r.MaxTokens, "max_tokens", r.Logprobs, api);
        return Parsed(r, call with { Prompt = r.Prompt[0] }, n, r.Logprobs);
    }

    private static ParsedRequest Parsed(SamplingRequest r, GenerationCall call, int n, int? logProbs) =>
        new(call, n, r.Stream == true, r.StreamOptions?.IncludeUsage == true, logProbs);

    private static (GenerationCall Call, int N) Common(SamplingRequest r, int? maxTokens, string maxTokensParam, int? logProbs, OpenAiApiOptions api)
    {
        if (string.IsNullOrEmpty(r.Model)) throw ApiException.BadRequest("model is required", "model");
        if (maxTokens is <= 0) throw ApiException.BadRequest($"{maxTokensParam} must be at least 1", maxTokensParam);
        if (r.Temperature is { } t && !(t >= 0 && t <= 2)) throw ApiException.BadRequest("temperature must be between 0 and 2", "temperature");
        if (r.TopP is { } p && !(p > 0 && p <= 1)) throw ApiException.BadRequest("top_p must be greater than 0 and at most 1", "top_p");
        var n = r.N ?? 1;
        if (n < 1 || n > api.MaxChoices) throw ApiException.BadRequest($"n must be between 1 and {api.MaxChoices}", "n");

        var options = new SamplingOptions
        {
            Temperature = r.Temperature ?? 1f,
            TopP = r.TopP ?? 1f,
            TopK = r.TopK ?? 0,
            MinP = r.MinP ?? 0f,
            RepetitionPenalty = r.RepetitionPenalty ?? 1f,
            PresencePenalty = r.PresencePenalty ?? 0f,
            FrequencyPenalty = r.FrequencyPenalty ?? 0f,
            Seed = r.Seed is { } s ? unchecked((ulong)s) : null,
            StopStrings = r.Stop ?? [],
            IgnoreEos = r.IgnoreEos ?? false,
            // The chosen token's log-probability comes with the alternatives, so ask for at least one.
            LogProbs = logProbs is { } k ? Math.Max(1, k) : 0,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            // SamplingOptions' messages start with the OpenAI field name.
            throw ApiException.BadRequest(e.Message, e.Message.Split(' ')[0]);
        }
        return (new GenerationCall(r.Model, options) { MaxTokens = maxTokens }, n);
    }
}
