using System.Text.Json;

namespace Grid.Engine.Tests.Models;

/// <summary>The stories260K reference files and reference.json's records.</summary>
public static class Stories
{
    public const string Dir = "stories260K";

    public static string Checkpoint => TestModels.Require($"{Dir}/stories260K.bin");
    public static string Tokenizer => TestModels.Require($"{Dir}/tok512.bin");
    public static string Gguf(string type) => TestModels.Require($"{Dir}/stories260K-{type}.gguf");

    public sealed record Record(string Prompt, int[] PromptTokens, int[] GeneratedTokens, string Text, float Temperature, float[][] FirstLogits);

    public static IReadOnlyList<Record> References()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestModels.Require($"{Dir}/reference.json")));
        return doc.RootElement.EnumerateArray().Select(r => new Record(
            r.GetProperty("prompt").GetString()!,
            r.GetProperty("prompt_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
            r.GetProperty("generated_tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
            r.GetProperty("text").GetString()!,
            r.GetProperty("temperature").GetSingle(),
            r.GetProperty("first_logits_f32").EnumerateArray()
                .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray())).ToList();
    }
}
