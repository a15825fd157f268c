using System.Text.Json;

namespace Grid.Bench.Serving;

/// <summary>Requests read from a JSON-lines trace: {"arrival_s": .., "prompt_tokens": .., "output_tokens": ..} per line.</summary>
public static class TraceWorkload
{
    public static IReadOnlyList<WorkloadRequest> Read(string path, int context, int vocab, int seed)
    {
        var random = new Random(seed);
        var requests = new List<WorkloadRequest>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string Where() => $"{path}:{lineNumber}";
            double arrival;
            int prompt, output;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                arrival = root.GetProperty("arrival_s").GetDouble();
                prompt = root.GetProperty("prompt_tokens").GetInt32();
                output = root.GetProperty("output_tokens").GetInt32();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{Where()}: expected {{\"arrival_s\":..,\"prompt_tokens\":..,\"output_tokens\":..}} ({e.Message})");
            }
            if (!(arrival >= 0) || prompt < 1 || output < 1)
                throw new InvalidDataException($"{Where()}: arrival_s must be >= 0 and the token counts at least 1");
            // Clipped like the synthetic workload, so a trace from a longer-context model still runs.
            prompt = Math.Min(prompt, context - 1);
            output = Math.Min(output, context - prompt);
            requests.Add(new WorkloadRequest(requests.Count, arrival, ShareGptWorkload.RandomTokens(random, prompt, vocab), output));
        }
        if (requests.Count == 0) throw new InvalidDataException($"{path}: no requests");
        return requests;
    }
}
