using Grid.Engine.Models;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Engine.Tests.Models;

namespace Grid.Engine.Tests.Scheduling;

/// <summary>
/// A request's tokens do not depend on what else runs: the greedy reference prompts, run among 15
/// other requests arriving at different steps, give run.c's tokens, and every other request gives
/// the tokens it gives alone, with chunked prefill on (small chunks) and off, prefix caching on and
/// off, and under memory pressure that preempts sequences mid-decode.
/// </summary>
public sealed class BatchInvarianceTests
{
    private static readonly string[] Others =
    [
        "Once upon a time, there was a little dog", "Tom and Sue", "The sun", "Once upon a time, there was a little girl named Lily. She",
        "A bird", "One day, a little boy named Tim went", "Lily", "The cat sat on the mat and", "Max had a red ball",
        "Once upon a time", "She was happy", "He ran to the park", "Mom said no", "It was a big tree", "The end",
    ];

    public static TheoryData<string, int, bool, bool, int> Modes => new()
    {
        { "small chunks", 16, true, true, 1024 },
        { "small chunks, no prefix cache", 16, true, false, 1024 },
        { "whole prompts", 512, false, true, 1024 },
        { "whole prompts, no prefix cache", 512, false, false, 1024 },
        { "preempted", 48, true, true, 80 },
    };

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void Tokens_are_the_same_alone_and_in_a_crowd(string mode, int batchTokens, bool chunked, bool prefix, int blocks)
    {
        using var model = ModelLoader.Load(Stories.Gguf("f32"));
        var references = Stories.References().Where(r => r.Temperature == 0).ToList();
        var random = new Random(5);
        var schedule = new List<(int Step, EngineRequest Request)>();
        for (var i = 0; i < references.Count; i++)
            schedule.Add((i * 4, new EngineRequest($"ref{i}", model.Tokenizer.Encode(references[i].Prompt),
                new SamplingOptions { Temperature = 0, MaxTokens = 64, IgnoreEos = true })));
        for (var i = 0; i < Others.Length; i++)
            schedule.Add((random.Next(0, 40), new EngineRequest($"other{i}", model.Tokenizer.Encode(Others[i]),
                new SamplingOptions { Temperature = 0.9f, TopP = 0.95f, Seed = (ulong)i, MaxTokens = random.Next(8, 48) })));
        schedule.Sort((a, b) => a.Step.CompareTo(b.Step));

        var options = new EngineOptions { ChunkedPrefill = chunked, PrefixCaching = prefix, MaxSequences = 32 };
        // Blocks of 4 tokens, so these short prompts fill whole blocks that later requests can share.
        using var crowd = new EngineHarness(model, blocks, blockSize: 4, maxBatchTokens: batchTokens, options: options);
        crowd.Run(schedule);

        for (var i = 0; i < references.Count; i++)
            crowd.Tokens[$"ref{i}"].Should().Equal(references[i].GeneratedTokens, $"'{references[i].Prompt}' in a crowd ({mode})");
        foreach (var (_, request) in schedule.Where(s => s.Request.Id.StartsWith("other")))
        {
            using var alone = new EngineHarness(model, 256);
            alone.Run([(0, request)]);
            crowd.Tokens[request.Id].Should().Equal(alone.Tokens[request.Id], $"{request.Id} in a crowd ({mode}) and alone");
            crowd.Text[request.Id].Should().Be(alone.Text[request.Id]);
        }

        var m = crowd.Engine.Metrics;
        m.RequestsFinished.Should().Be(schedule.Count);
        crowd.Engine.Pool.UsedCount.Should().Be(0, "every finished request gave its blocks back");
        if (prefix) m.PrefixHitTokens.Should().BeGreaterThan(0, "several prompts share a prefix");
        else m.PrefixHitTokens.Should().Be(0);
        if (mode == "preempted") m.Preemptions.Should().BeGreaterThan(0, "80 blocks of 4 tokens cannot hold 18 running requests");
    }
}
