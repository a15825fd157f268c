using System.Net.Http.Json;
using System.Text;

namespace Grid.Api.Tests;

/// <summary>Small HTTP helpers: POST JSON text, and read a server-sent event stream's data lines.</summary>
public static class Sse
{
    public static Task<HttpResponseMessage> Post(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> Post(HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);

    /// <summary>Every <c>data:</c> payload in order, checking each event ends with a blank line.</summary>
    public static async Task<List<string>> ReadAll(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        text.Should().EndWith("\n\n");
        return events.Select(e =>
        {
            e.Should().StartWith("data: ");
            return e["data: ".Length..];
        }).ToList();
    }
}
