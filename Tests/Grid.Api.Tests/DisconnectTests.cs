using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Grid.Api.Tests;

public class DisconnectTests
{
    [SkippableFact]
    public async Task ClientLeavingMidStreamAbortsTheRequestAndFreesItsBlocks()
    {
        var path = TestModels.Path(TestModels.StoriesGguf);
        Skip.If(path is null, TestModels.SkipMessage(TestModels.StoriesGguf));
        // Steps run only when the test allows them: the 400-token stream cannot finish by itself.
        await using var server = await ApiServer.Start(path!, gated: true);
        var gate = server.Gate!;
        var body = """{"model":"stories260K","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":400,"ignore_eos":true,"stream":true}""";

        gate.Allow(3);
        using (var client = new HttpClient { BaseAddress = server.Address })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            (await reader.ReadLineAsync()).Should().StartWith("data: ");
            await Until(() => server.Service.KvBlocksUsed > 0);
        } // disposing the response and the client closes the connection mid-stream

        // One step at a time: between steps the engine takes the abort the disconnect queued.
        await Until(() =>
        {
            gate.Allow(1);
            return server.Service.ActiveRequests == 0 && server.Service.KvBlocksUsed == 0;
        });
        server.Service.RequestsAborted.Should().Be(1, "the request was stopped, not run to its 400 tokens");
    }

    /// <summary>Waits for a condition the server reaches on its own, failing after 10 s.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            deadline.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the condition should hold by then");
            await Task.Delay(5); // a poll interval, not a guess at how long the server takes
        }
    }
}
