using Grid.Api.Generation;
using Grid.Api.OpenAi;
using Grid.Engine.Scheduling;
using Microsoft.AspNetCore.Http;

namespace Grid.Api.Http;

/// <summary>POST /v1/completions (legacy text API), whole or streamed as text_completion events.</summary>
internal sealed class CompletionsEndpoint(IGenerationService service, OpenAiApiOptions options)
{
    public async Task Handle(HttpContext ctx)
    {
        ApiKeyCheck.Require(ctx, options);
        var request = RequestMapper.Completion(await HttpIo.ReadJson<CompletionRequest>(ctx), options);
        var id = $"cmpl-{Guid.NewGuid():N}";
        var created = HttpIo.Now();
        var model = request.Call.Model;
        var acc = new ChoiceAccumulator(request.N);
        await using var events = ChoiceRunner.Run(service, request, ctx.RequestAborted).GetAsyncEnumerator(ctx.RequestAborted);
        var more = await events.MoveNextAsync();

        if (!request.Stream)
        {
            for (; more; more = await events.MoveNextAsync()) acc.Add(events.Current.Index, events.Current.Event);
            var choices = Enumerable.Range(0, acc.Count).Select(i => new CompletionChoice(i, acc[i].Text.ToString())
            {
                FinishReason = HttpIo.FinishName(acc[i].Finish ?? FinishReason.Stop),
                Logprobs = ChoiceAccumulator.CompletionLogProbs(acc[i].LogProbs, request.TopLogProbs, 0),
            }).ToArray();
            await HttpIo.WriteJson(ctx, new CompletionResponse(id, created, model, choices) { Usage = acc.Usage });
            return;
        }

        await HttpIo.StartEvents(ctx);
        for (; more; more = await events.MoveNextAsync())
        {
            var (index, e) = events.Current;
            var offset = acc[index].Text.Length;
            acc.Add(index, e);
            if (e.Text.Length == 0 && e.Finish is null && e.LogProbs is null) continue;
            var choice = new CompletionChoice(index, e.Text)
            {
                FinishReason = e.Finish is { } f ? HttpIo.FinishName(f) : null,
                Logprobs = e.LogProbs is null ? null : ChoiceAccumulator.CompletionLogProbs([e.LogProbs], request.TopLogProbs, offset),
            };
            await HttpIo.WriteEvent(ctx, new CompletionResponse(id, created, model, [choice]));
        }
        if (request.IncludeUsage) await HttpIo.WriteEvent(ctx, new CompletionResponse(id, created, model, []) { Usage = acc.Usage });
        await HttpIo.WriteDone(ctx);
    }
}
