using System.Text.Json;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Sampling;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;

namespace Grid.Silo.Cli;

/// <summary><c>grid generate</c>: streams a completion of one prompt on the CPU backend.</summary>
public static class GenerateCommand
{
    public const string Usage = """
        usage: grid generate [--model PATH] [--tokenizer PATH] [--prompt TEXT] [options]
          --model PATH           GGUF file or llama2.c checkpoint (default: the built-in demo model)
          --tokenizer PATH       llama2.c tokenizer file (default: the only tok*.bin beside the checkpoint)
          --prompt TEXT          the text to continue (default: empty, start of a story)
          --max-tokens N         tokens to generate at most (default 256)
          --temperature T        0 is greedy (default 0.8)
          --top-p P              nucleus sampling (default 0.95)
          --top-k K              keep the K most likely tokens (default 0: off)
          --min-p P              drop tokens below P times the most likely (default 0: off)
          --repetition-penalty R --presence-penalty P --frequency-penalty F
          --seed N               makes sampling reproducible
          --stop TEXT            stop string (repeatable)
          --logprobs N           report the N most likely alternatives of each token (with --json)
          --ignore-eos           keep going past the end-of-sequence token
          --threads N            CPU worker threads (default: one per core)
          --json                 one JSON object per token, then a summary object
        """;

    private static readonly HashSet<string> Values =
    [
        "model", "tokenizer", "prompt", "max-tokens", "temperature", "top-p", "top-k", "min-p", "repetition-penalty",
        "presence-penalty", "frequency-penalty", "seed", "stop", "logprobs", "threads",
    ];

    private static readonly HashSet<string> Flags = ["json", "ignore-eos"];

    public static int Run(IEnumerable<string> args, TextWriter stdout, TextWriter stderr)
    {
        var cl = new CommandLine(args, Values, Flags);
        var options = new SamplingOptions
        {
            MaxTokens = cl.Int("max-tokens") ?? 256,
            Temperature = cl.Float("temperature") ?? 0.8f,
            TopP = cl.Float("top-p") ?? 0.95f,
            TopK = cl.Int("top-k") ?? 0,
            MinP = cl.Float("min-p") ?? 0f,
            RepetitionPenalty = cl.Float("repetition-penalty") ?? 1f,
            PresencePenalty = cl.Float("presence-penalty") ?? 0f,
            FrequencyPenalty = cl.Float("frequency-penalty") ?? 0f,
            Seed = cl.ULong("seed"),
            StopStrings = cl.All("stop"),
            LogProbs = cl.Int("logprobs") ?? 0,
            IgnoreEos = cl.Flag("ignore-eos"),
        };
        options.Validate();
        var json = cl.Flag("json");
        var path = cl.String("model");

        if (path is null) stderr.WriteLine(DemoModel.Notice);
        using var model = path is null ? DemoModel.Create() : ModelLoader.Load(path, cl.String("tokenizer"));
        var c = model.Config;
        var threads = cl.Int("threads") ?? 0;
        var blocks = (c.ContextLength + 15) / 16;
        using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = blocks, Threads = threads });
        var clock = new RealClock();
        var engine = new EngineCore(backend, model.Tokenizer, clock, new EngineOptions { MaxSequences = 1 });

        var promptText = cl.String("prompt") ?? "";
        var prompt = model.Tokenizer.Encode(promptText);
        var start = clock.Now;
        engine.Add(new EngineRequest("generate", prompt, options));
        if (!json) stdout.Write(promptText);
        TimeSpan? first = null;
        var generated = 0;
        FinishReason? finish = null;
        while (engine.HasWork)
        {
            foreach (var o in engine.Step())
            {
                if (o.Token is not null)
                {
                    generated++;
                    first ??= clock.Now;
                }
                if (json) { if (o.Token is not null) stdout.WriteLine(JsonSerializer.Serialize(TokenLine(o))); }
                else stdout.Write(o.Text);
                stdout.Flush();
                finish = o.Finish ?? finish;
            }
        }

        var end = clock.Now;
        var prefill = (first ?? end) - start;
        var promptRate = prompt.Length / Math.Max(prefill.TotalSeconds, 1e-9);
        var decodeRate = Math.Max(generated - 1, 0) / Math.Max((end - (first ?? end)).TotalSeconds, 1e-9);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                summary = true,
                model = model.Source,
                prompt_tokens = prompt.Length,
                generated_tokens = generated,
                prompt_tokens_per_second = Math.Round(promptRate, 1),
                tokens_per_second = Math.Round(decodeRate, 1),
                finish_reason = Name(finish),
            }));
        }
        else
        {
            stdout.WriteLine();
            stdout.Flush();
            stderr.WriteLine($"prompt: {prompt.Length} tokens at {promptRate:F1} tokens/s; " +
                $"generation: {generated} tokens at {decodeRate:F1} tokens/s; finish: {Name(finish)}");
        }
        return 0;
    }

    private static object TokenLine(RequestOutput t) => t.TopLogProbs is null
        ? new { id = t.Token, text = t.Text }
        : new { id = t.Token, text = t.Text, logprob = t.LogProb, top_logprobs = t.TopLogProbs.Select(x => new { id = x.Id, logprob = x.LogProb }) };

    private static string Name(FinishReason? f) => f switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Abort => "abort",
        _ => "none",
    };
}
