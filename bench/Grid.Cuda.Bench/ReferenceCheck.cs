using System.Text.Json;
using Grid.Cuda.Backend;
using Grid.Engine.Compute;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Cuda.Bench;

/// <summary>
/// End-to-end checks of the CUDA backend: stories260K's greedy references (run.c's tokens) through an
/// EngineCore on the GPU, and the forward's logits against the CPU backend's on mixed prefill/decode
/// batches of a random model with GQA (every forward kernel is on that path).
/// </summary>
public static class ReferenceCheck
{
    public static void Stories(string modelsDir, Results results)
    {
        var path = Path.Combine(modelsDir, "stories260K", "stories260K-f32.gguf");
        if (!File.Exists(path))
        {
            results.Check("stories260K.greedy", false, $"model file {path} is missing");
            return;
        }
        using var model = ModelLoader.Load(path);
        using var backend = new CudaBackend(model, new CudaBackendOptions { BlockCount = 256, MaxBatchTokens = 256, MaxSequences = 16 });
        results.Figure("kernels.load_seconds", backend.KernelLoadTime.TotalSeconds, "s");
        var engine = new EngineCore(backend, model.Tokenizer, new RealClock());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelsDir, "stories260K", "reference.json")));
        var references = doc.RootElement.EnumerateArray().Where(r => r.GetProperty("temperature").GetSingle() == 0).ToList();
        var expected = new Dictionary<string, int[]>();
        var got = new Dictionary<string, List<int>>();
        for (var i = 0; i < references.Count; i++)
        {
            var prompt = references[i].GetProperty("prompt_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
            expected[$"r{i}"] = references[i].GetProperty("generated_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
            got[$"r{i}"] = [];
            engine.Add(new EngineRequest($"r{i}", prompt, new SamplingOptions { Temperature = 0, IgnoreEos = true, MaxTokens = expected[$"r{i}"].Length }));
        }
        while (engine.HasWork)
            foreach (var o in engine.Step())
                if (o.Token is { } t) got[o.Id].Add(t);
        var matched = expected.Count(e => got[e.Key].SequenceEqual(e.Value));
        results.Check("stories260K.greedy", matched == expected.Count, $"{matched} of {expected.Count} greedy references match run.c token for token");
    }

    /// <summary>Logits of a random GQA model, CUDA against CPU, over a prefill chunk, a mixed step and a decode step.</summary>
    public static void ForwardAgainstCpu(Results results)
    {
        ForwardAgainstCpu(results, nanoBatches: 1);
        // Two nano-batches on two streams: steps with two sequences split between them.
        ForwardAgainstCpu(results, nanoBatches: 2);
    }

    private static void ForwardAgainstCpu(Results results, int nanoBatches)
    {
        var tag = nanoBatches == 1 ? "forward" : $"forward.nano{nanoBatches}";
        var config = new ModelConfig
        {
            Dim = 256, HiddenDim = 688, Layers = 3, Heads = 8, KvHeads = 2, VocabSize = 1000, ContextLength = 512,
        };
        // BF16 weights: both backends see the same numbers, so differences come from the GPU's BF16 activations and KV alone.
        using var model = RandomModel.Create(config, TensorType.BF16, seed: 7);
        using var cpu = new CpuBackend(model, new CpuBackendOptions { BlockCount = 64, BlockSize = 16, MaxBatchTokens = 256 });
        // 32-token decode partitions: step 3's contexts (102 and 41) split into several, so the partial buffers' per-token
        // strides (and, with nano-batches, the second range's offsets) are exercised.
        using var gpu = new CudaBackend(model, new CudaBackendOptions
        {
            BlockCount = 64, BlockSize = 16, MaxBatchTokens = 256, MaxSequences = 16, NanoBatches = nanoBatches, DecodePartitionTokens = 32,
        });
        var random = new Random(3);
        int[] a = [0, 1, 2, 3, 4, 5, 6, 7], b = [8, 9, 10, 11, 12, 13, 14, 15];
        var steps = new List<ForwardBatch>();
        // Step 1: sequence a's first 100 tokens (a chunk of prefill across blocks).
        var s1 = new ForwardBatch(256, 16);
        var sa = s1.AddSequence(a);
        for (var p = 0; p < 100; p++) s1.Add(sa, random.Next(config.VocabSize), p, wantLogits: p % 17 == 0 || p == 99);
        steps.Add(s1);
        // Step 2: a decodes one token while b prefills 40.
        var s2 = new ForwardBatch(256, 16);
        sa = s2.AddSequence(a);
        var sb = s2.AddSequence(b);
        s2.Add(sa, random.Next(config.VocabSize), 100, wantLogits: true);
        for (var p = 0; p < 40; p++) s2.Add(sb, random.Next(config.VocabSize), p, wantLogits: p == 39);
        steps.Add(s2);
        // Step 3: both decode (the split-KV decode kernels).
        var s3 = new ForwardBatch(256, 16);
        sa = s3.AddSequence(a);
        sb = s3.AddSequence(b);
        s3.Add(sa, random.Next(config.VocabSize), 101, wantLogits: true);
        s3.Add(sb, random.Next(config.VocabSize), 40, wantLogits: true);
        steps.Add(s3);

        var worst = 0.0;
        for (var i = 0; i < steps.Count; i++)
        {
            var n = steps[i].LogitCount * config.VocabSize;
            var expected = new float[n];
            var actual = new float[n];
            cpu.Forward(steps[i], expected);
            gpu.Forward(steps[i], actual);
            var scale = expected.Max(MathF.Abs);
            var error = expected.Zip(actual, (e, g) => Math.Abs(e - g)).Max() / Math.Max(scale, 1e-6);
            results.Figure($"{tag}.step{i + 1}.max_relative_error", error);
            worst = Math.Max(worst, error);
        }
        // BF16 weights and activations against F32 throughout: a few percent of the largest logit.
        results.Check($"{tag}.cuda_vs_cpu", worst < 0.05, $"worst logit error {worst:P2} of the largest logit over 3 steps (bound 5%)");
    }
}
