using Grid.Api.Generation;
using Grid.Api.OpenAi;
using Microsoft.AspNetCore.Http;

namespace Grid.Api.Http;

/// <summary>POST /v1/chat/completions, whole or streamed as chat.completion.chunk events.</summary>
internal sealed class ChatCompletionsEndpoint(IGenerationService service, OpenAiApiOptions options)
{
    public async Task Handle(HttpContext ctx)
    {
        ApiKeyCheck.Require(ctx, options);
        var request = RequestMapper.Chat(await HttpIo.ReadJson<ChatCompletionRequest>(ctx), options);
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = HttpIo.Now();
        var model = request.Call.Model;
        var acc = new ChoiceAccumulator(request.N);
        await using var events = ChoiceRunner.Run(service, request, ctx.RequestAborted).GetAsyncEnumerator(ctx.RequestAborted);
        // The first event comes before any response byte, so a refusal still gets its own status code.
        var more = await events.MoveNextAsync();

        if (!request.Stream)
        {
            for (; more; more = await events.MoveNextAsync()) acc.Add(events.Current.Index, events.Current.Event);
            var choices = Enumerable.Range(0, acc.Count).Select(i => new ChatChoice(i, new AssistantMessage(acc[i].Text.ToString()),
                HttpIo.FinishName(acc[i].Finish ?? Engine.Scheduling.FinishReason.Stop))
            {
                Logprobs = ChoiceAccumulator.ChatLogProbs(acc[i].LogProbs, request.TopLogProbs),
            }).ToArray();
            await HttpIo.WriteJson(ctx, new ChatCompletionResponse(id, created, model, choices, acc.Usage));
            return;
        }

        await HttpIo.StartEvents(ctx);
        for (; more; more = await events.MoveNextAsync())
        {
            var (index, e) = events.Current;
            var choice = acc.Add(index, e);
            var first = !choice.Started;
            choice.Started = true;
            if (!first && e.Text.Length == 0 && e.Finish is null && e.LogProbs is null) continue;
            var logProbs = e.LogProbs is null ? null : ChoiceAccumulator.ChatLogProbs([e.LogProbs], request.TopLogProbs);
            var chunk = new ChunkChoice(index, new ChunkDelta(e.Text) { Role = first ? "assistant" : null })
            {
                FinishReason = e.Finish is { } f ? HttpIo.FinishName(f) : null,
                Logprobs = logProbs,
            };
            await HttpIo.WriteEvent(ctx, new ChatCompletionChunk(id, created, model, [chunk]));
        }
        if (request.IncludeUsage) await HttpIo.WriteEvent(ctx, new ChatCompletionChunk(id, created, model, []) { Usage = acc.Usage });
        await HttpIo.WriteDone(ctx);
    }
}
