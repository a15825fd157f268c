using Grid.Engine.Chat;
using Grid.Engine.Models;
using Grid.Engine.Sampling;

namespace Grid.Api.Generation;

/// <summary>A call made ready to run: the prompt's token ids and the sampling options with max tokens and seed settled.</summary>
public sealed record PreparedCall(int[] PromptTokens, SamplingOptions Options);

/// <summary>
/// Turns a <see cref="GenerationCall"/> into prompt tokens for one model: renders chats with the model's
/// chat template, tokenizes, and refuses what cannot run (unknown model, empty prompt, prompt filling the
/// context) with <see cref="ApiException"/>. Shared by every <see cref="IGenerationService"/>.
/// </summary>
public sealed class CallPreparer
{
    private readonly Model _model;

    /// <param name="template">The chat format; null detects it from the model's metadata and vocabulary.</param>
    public CallPreparer(string modelId, Model model, int contextLength, IChatTemplate? template = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        _model = model;
        ContextLength = contextLength;
        Template = template ?? ChatTemplateDetector.Detect(model.ChatTemplate, model.Config.Architecture, model.Tokenizer);
        Card = new ModelCard(modelId, contextLength, DateTimeOffset.UtcNow);
    }

    public ModelCard Card { get; }
    public IChatTemplate Template { get; }
    public int ContextLength { get; }

    /// <summary>The model's tokenizer, for describing tokens (log-probabilities) after the fact.</summary>
    public Grid.Engine.Models.Tokenizers.ITokenizer Tokenizer => _model.Tokenizer;

    public PreparedCall Prepare(GenerationCall call)
    {
        if (call.Model != Card.Id)
            throw new ApiException(404, $"The model '{call.Model}' does not exist", "model", "model_not_found");
        var text = call.Messages is { } messages ? Template.Render(messages) : call.Prompt ?? "";
        var tokens = _model.Tokenizer.Encode(text);
        var param = call.Messages is null ? "prompt" : "messages";
        if (tokens.Length == 0)
            throw ApiException.BadRequest("the prompt is empty and this model adds no BOS token to start from", param);
        if (tokens.Length >= ContextLength)
            throw ApiException.BadRequest(
                $"This model's maximum context length is {ContextLength} tokens; the prompt has {tokens.Length}, leaving no room to generate",
                param, "context_length_exceeded");
        var maxTokens = call.MaxTokens ?? ContextLength - tokens.Length;
        var options = call.Options with { MaxTokens = maxTokens, Seed = call.Options.Seed ?? call.Options.SeedOrRandom() };
        return new PreparedCall(tokens, options);
    }
}
