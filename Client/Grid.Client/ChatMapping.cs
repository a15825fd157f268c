using System.Text.Json;
using Grid.Grains;
using Microsoft.Extensions.AI;

namespace Grid.Client;

/// <summary>Microsoft.Extensions.AI's chat shapes to the grid's messages and back.</summary>
internal static class ChatMapping
{
    /// <summary>Sampling settings that <see cref="ChatOptions"/> has no property for, read from its AdditionalProperties.</summary>
    public const string MinP = "min_p", RepetitionPenalty = "repetition_penalty", IgnoreEos = "ignore_eos";

    public static PromptText Prompt(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = new List<ChatTurn>();
        if (!string.IsNullOrEmpty(options?.Instructions)) turns.Add(new ChatTurn("system", options.Instructions));
        foreach (var m in messages) turns.Add(new ChatTurn(m.Role.Value, m.Text));
        if (turns.Count == 0) throw new ArgumentException("the chat has no messages", nameof(messages));
        return PromptText.Chat([.. turns]);
    }

    public static GenerationOptions Options(ChatOptions? o)
    {
        var g = new GenerationOptions();
        if (o is null) return g;
        return g with
        {
            Temperature = o.Temperature ?? g.Temperature,
            TopP = o.TopP ?? g.TopP,
            TopK = o.TopK ?? g.TopK,
            MaxTokens = o.MaxOutputTokens ?? g.MaxTokens,
            FrequencyPenalty = o.FrequencyPenalty ?? g.FrequencyPenalty,
            PresencePenalty = o.PresencePenalty ?? g.PresencePenalty,
            // The grid's draws take 64 bits; a negative long keeps its bits.
            Seed = o.Seed is { } seed ? unchecked((ulong)seed) : null,
            StopStrings = o.StopSequences?.ToArray() ?? [],
            MinP = Number(o, MinP) ?? g.MinP,
            RepetitionPenalty = Number(o, RepetitionPenalty) ?? g.RepetitionPenalty,
            IgnoreEos = o.AdditionalProperties?.TryGetValue(IgnoreEos, out bool ignore) == true && ignore,
        };
    }

    public static ChatFinishReason Finish(GenerationFinish finish) => finish switch
    {
        GenerationFinish.Stop => ChatFinishReason.Stop,
        GenerationFinish.Length => ChatFinishReason.Length,
        _ => new ChatFinishReason(finish.ToString().ToLowerInvariant()),
    };

    public static UsageDetails Usage(Usage u) => new()
    {
        InputTokenCount = u.PromptTokens,
        OutputTokenCount = u.CompletionTokens,
        TotalTokenCount = u.PromptTokens + u.CompletionTokens,
        CachedInputTokenCount = u.CachedTokens,
    };

    private static float? Number(ChatOptions o, string key)
    {
        if (o.AdditionalProperties is null || !o.AdditionalProperties.TryGetValue(key, out var value) || value is null) return null;
        return value switch
        {
            float f => f,
            double d => (float)d,
            int i => i,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetSingle(),
            _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{key}\"] must be a number (got {value.GetType().Name})"),
        };
    }
}
