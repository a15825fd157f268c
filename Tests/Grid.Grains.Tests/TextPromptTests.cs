namespace Grid.Grains.Tests;

/// <summary>Prompts sent as text are tokenized by a silo that serves the model, wherever the request grain lives.</summary>
public sealed class TextPromptTests
{
    [SkippableFact]
    public async Task Text_prompts_give_the_reference_tokens_even_from_a_silo_without_the_model()
    {
        var references = StoriesModel.Greedy();
        await using var grid = await GridCluster.Start(2, gpuSilos: 1);
        var requests = Enumerable.Range(0, 8).Select(i => (Reference: references[i % references.Count], Grain: grid.Request($"text-{i}"))).ToList();
        await Task.WhenAll(requests.Select(r => r.Grain.Submit(GenerationRequest.FromText(StoriesModel.Id, PromptText.Plain(r.Reference.Prompt),
            new GenerationOptions { Temperature = 0, MaxTokens = 64, IgnoreEos = true }))));

        foreach (var (reference, grain) in requests)
        {
            var (tokens, last) = await Generation.ReadAll(grain);
            tokens.Should().Equal(reference.GeneratedTokens, $"'{reference.Prompt}' ({last.Error})");
            last.Usage!.PromptTokens.Should().Be(reference.PromptTokens.Length);
        }

        // The case this test is about: a request grain on the silo that has no model had a GPU's silo encode for it.
        var management = grid.Client.GetGrain<IManagementGrain>(0);
        var gpuless = grid.Cluster.Silos[1].SiloAddress;
        var where = new List<SiloAddress?>();
        foreach (var r in requests) where.Add(await management.GetActivationAddress(r.Grain));
        Skip.IfNot(where.Contains(gpuless), "every request grain was placed on the silo that has the model");
    }

    [SkippableFact]
    public async Task A_request_gives_its_prompt_as_tokens_or_as_text_not_both()
    {
        var reference = StoriesModel.Greedy()[0];
        await using var grid = await GridCluster.Start(1);
        var both = new GenerationRequest(StoriesModel.Id, reference.PromptTokens, new GenerationOptions()) { Text = PromptText.Plain("x") };
        var act = () => grid.Request("both").Submit(both);
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*either*");

        var chatless = GenerationRequest.FromText(StoriesModel.Id, PromptText.Chat(), new GenerationOptions());
        var empty = () => grid.Request("chatless").Submit(chatless);
        (await empty.Should().ThrowAsync<ArgumentException>()).WithMessage("*no messages*");
    }
}
