using Grid.Engine.Compute.Cpu;
using Grid.Engine.KvCache;
using Grid.Engine.Models;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Grains.Tests;

/// <summary>The router's block hashes are exactly those an engine (set up as <see cref="GpuRuntime"/> sets it up) stores and looks up.</summary>
public sealed class BlockHashesTests
{
    private const int BlockSize = 16;

    [SkippableTheory]
    [InlineData(170)] // 10 full blocks and 10 tokens over
    [InlineData(160)] // exactly 10 full blocks: the engine stores 10 but looks up 9, leaving a token to compute
    public void The_routers_hashes_are_the_blocks_the_engine_stores_and_finds(int length)
    {
        using var model = ModelLoader.Load(StoriesModel.Gguf);
        using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = 64, BlockSize = BlockSize, Threads = 1 });
        var engine = new EngineCore(backend, model.Tokenizer, new RealClock(),
            new EngineOptions { KvEvents = true, ModelId = BlockHashes.ModelId(StoriesModel.Id) });
        var prompt = Prompts.Long(length, seed: 1);

        Run(engine, "first", prompt);
        var events = new List<KvEvent>();
        engine.DrainKvEvents(events);
        var routed = BlockHashes.Prefix(StoriesModel.Id, prompt, BlockSize);

        routed.Should().HaveCount((length - 1) / BlockSize);
        events.Should().OnlyContain(e => e.Kind == KvEventKind.Stored);
        events.Select(e => e.Hash).Should().StartWith(routed, "the router chains the blocks from the same root as the engine");
        events.Should().HaveCount(length / BlockSize, "every full block the prompt filled is stored");
        Run(engine, "again", prompt).CachedTokens.Should().Be(routed.Length * BlockSize, "the engine finds exactly the blocks the router hashes");
    }

    [Fact]
    public void Models_and_block_contents_give_different_chains()
    {
        var prompt = Prompts.Long(64, seed: 2);
        var a = BlockHashes.Prefix("model-a", prompt, BlockSize);
        BlockHashes.Prefix("model-b", prompt, BlockSize).Should().NotIntersectWith(a);
        var changed = (int[])prompt.Clone();
        changed[20]++;
        // Token 20 is in block 1: block 0 stays shared, and every block from 1 on differs because the chain carries the change.
        var b = BlockHashes.Prefix("model-a", changed, BlockSize);
        b[0].Should().Be(a[0]);
        b.Skip(1).Should().HaveCount(2).And.NotIntersectWith(a);
        BlockHashes.Prefix("model-a", prompt.AsSpan(0, 16), BlockSize).Should().BeEmpty("a lone full block is computed, never looked up");
    }

    private static RequestOutput Run(EngineCore engine, string id, int[] prompt)
    {
        engine.Add(new EngineRequest(id, prompt, new SamplingOptions { Temperature = 0, MaxTokens = 1, IgnoreEos = true }));
        RequestOutput? last = null;
        while (engine.HasWork)
            foreach (var o in engine.Step()) last = o;
        return last!;
    }
}
