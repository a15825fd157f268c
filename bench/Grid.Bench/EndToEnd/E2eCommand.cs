using System.Text.Json;
using Grid.Client;
using Grid.Engine.Compute.Cpu;
using Grid.Engine.Models;
using Grid.Engine.Scheduling;
using Grid.Engine.Timing;
using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Bench.EndToEnd;

/// <summary>
/// The <c>e2e</c> command: the same closed loop of streams, with prompts from one generator, played into the bare engine, then
/// through the silo host's HTTP API, then through GridChatClient over an Orleans client, all in one run on the
/// same CPU backend settings; prints each path's throughput and TTFT against the bare engine's.
/// </summary>
public static class E2eCommand
{
    private const int BlockSize = 16;
    private const int MaxBatchTokens = 512;
    private const int KvCacheMiB = 2048;

    public static async Task<int> Run(string[] args)
    {
        E2eOptions o;
        try
        {
            o = E2eOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(E2eOptions.Usage);
            return 2;
        }

        var path = o.Model ?? BenchModels.Ensure("f32");
        var modelId = Path.GetFileNameWithoutExtension(path);
        List<E2eSummary> rows = [];
        // A fresh prompt set per path and for the warm-ups: the host's engine keeps its prefix cache from one
        // run to the next, and a path that found the previous path's prompts cached would look faster than it is.
        var sets = new Dictionary<int, IReadOnlyList<string>>();
        IReadOnlyList<string> Set(int k) => sets[k];
        using (var model = ModelLoader.Load(path))
        {
            foreach (var k in new[] { 0, 1, 2, 10, 11, 12 }) sets[k] = E2eWorkload.Prompts(model.Tokenizer, o.Requests, o.PromptTokens, o.Seed * 100 + k);
            var prompts = Set(0);
            var tokens = prompts.Select(p => model.Tokenizer.Encode(p)).ToList();
            var c = model.Config;
            var blocks = (int)((long)KvCacheMiB * 1024 * 1024 / (2L * c.Layers * c.KvDim * BlockSize * sizeof(float)));
            Console.WriteLine($"e2e: {Path.GetFileName(path)}, {o.Streams} concurrent streams, {o.Requests} requests of {o.PromptTokens}+ prompt tokens"
                + $" (mean {tokens.Average(t => t.Length):F0}) and {o.OutputTokens} output tokens, greedy; CPU backend, {o.Threads} threads,"
                + $" {blocks} KV blocks of {BlockSize}, at most {o.Streams} sequences and {MaxBatchTokens} tokens a step on every path");
            using var backend = new CpuBackend(model, new CpuBackendOptions { BlockCount = blocks, BlockSize = BlockSize, MaxBatchTokens = MaxBatchTokens, Threads = o.Threads });
            EngineCore Engine() => new(backend, model.Tokenizer, new RealClock(), new EngineOptions { MaxSequences = o.Streams, MaxBatchTokens = MaxBatchTokens });
            BareEngineLoop.Run(Engine(), Set(10).Take(o.Streams).Select(p => model.Tokenizer.Encode(p)).ToList(), o.Streams, 8);
            rows.Add(E2eSummary.From("bare engine", BareEngineLoop.Run(Engine(), tokens, o.Streams, o.OutputTokens)));
            Print(rows[0], rows[0]);
        }

        var httpPort = FreePort();
        var gatewayPort = FreePort();
        await using (var app = SiloHost.Build([
            "--model", path, "--threads", $"{o.Threads}", "--max-sequences", $"{o.Streams}", "--kv-cache-mib", $"{KvCacheMiB}",
            "--urls", $"http://127.0.0.1:{httpPort}", "--silo-port", "0", "--gateway-port", $"{gatewayPort}",
            "--Logging:LogLevel:Default=Warning",
        ], TextWriter.Null))
        {
            await app.StartAsync();
            var uri = new Uri($"http://127.0.0.1:{httpPort}");
            await HttpLoop.Run(uri, modelId, Set(11).Take(o.Streams).ToList(), o.Streams, 8);
            rows.Add(E2eSummary.From("HTTP API", await HttpLoop.Run(uri, modelId, Set(1), o.Streams, o.OutputTokens)));
            Print(rows[^1], rows[0]);

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort, serviceId: "grid", clusterId: "grid"));
            builder.Services.AddGridChatClient(c => c.Model = modelId);
            using var clientHost = builder.Build();
            await clientHost.StartAsync();
            var chat = clientHost.Services.GetRequiredService<IChatClient>();
            await ClientLoop.Run(chat, Set(12).Take(o.Streams).ToList(), o.Streams, 8);
            rows.Add(E2eSummary.From("GridChatClient", await ClientLoop.Run(chat, Set(2), o.Streams, o.OutputTokens)));
            Print(rows[^1], rows[0]);
            await clientHost.StopAsync();
            await app.StopAsync();
        }

        if (o.Out is { } outPath)
            await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(new { options = o with { Out = null }, rows }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static void Print(E2eSummary r, E2eSummary bare) =>
        Console.WriteLine($"{r.Path,-15} | {r.Requests} reqs in {r.Makespan:F1} s | output {r.OutputTokensPerSecond:F1} tok/s ({r.OutputTokensPerSecond / bare.OutputTokensPerSecond:F2}x bare)"
            + $" | total {r.TotalTokensPerSecond:F1} tok/s ({r.TotalTokensPerSecond / bare.TotalTokensPerSecond:F2}x)"
            + $" | TTFT p50 {r.TtftP50Ms:F0} ms (+{r.TtftP50Ms - bare.TtftP50Ms:F0}), p90 {r.TtftP90Ms:F0} | TPOT p50 {r.TpotP50Ms:F1} ms");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
