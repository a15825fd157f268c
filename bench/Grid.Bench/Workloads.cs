namespace Grid.Bench;

/// <summary>Runs the standard workloads on one GGUF file with each engine and collects one row per workload.</summary>
public sealed class Workloads(Repeater repeater, int decodeTokens, double bandwidthGBps)
{
    const int Seed = 1234;
    const int FirstOrdinaryToken = 3; // 0-2 are unknown, BOS and EOS in Llama vocabularies

    public IReadOnlyList<BenchRow> Run(GgufSummary model, IReadOnlyList<BenchEngines.Spec> engines)
    {
        var workloads = Workload.Standard(decodeTokens);
        // The same prompts for every engine, and the same across runs.
        var random = new Random(Seed);
        var prompts = workloads.Select(w => Enumerable.Range(0, w.PromptTokens)
            .Select(_ => random.Next(FirstOrdinaryToken, model.VocabSize)).ToArray()).ToArray();

        var results = new Dictionary<(string Engine, string Workload), Throughput>();
        // One engine loaded at a time: an idle engine's spinning worker threads would slow the other.
        foreach (var spec in engines)
        {
            Console.Error.WriteLine($"  {spec.Name}: loading {Path.GetFileName(model.Path)}");
            using var engine = spec.Create(model.Path);
            for (var i = 0; i < workloads.Count; i++)
            {
                var (workload, prompt) = (workloads[i], prompts[i]);
                Console.Error.WriteLine($"  {spec.Name}: {workload.Name}");
                results[(spec.Name, workload.Name)] = repeater.Measure(engine.Reset, () => workload.RunOnce(engine, prompt));
            }
        }

        var roofline = bandwidthGBps * 1e9 / model.DecodeWeightBytes;
        return workloads.Select(w => new BenchRow(
            $"{model.TypeLabel} {w.Name}",
            results.GetValueOrDefault((BenchEngines.Grid, w.Name)),
            results.GetValueOrDefault((BenchEngines.LlamaCpp, w.Name)),
            w.Sequences == 1 ? roofline : null)).ToArray();
    }
}
