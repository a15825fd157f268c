using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Grid.Api.Generation;

namespace Grid.Api.Http;

/// <summary>
/// Runs a request's n choices as n generations, choice i with seed + i so n draws differ yet repeat,
/// and interleaves their events as they come.
/// </summary>
internal static class ChoiceRunner
{
    public static IAsyncEnumerable<(int Index, GenerationEvent Event)> Run(IGenerationService service, ParsedRequest request, CancellationToken ct)
    {
        var call = request.Call;
        if (request.N == 1) return Single(service.Generate(call, ct), ct);
        var seed = call.Options.Seed ?? call.Options.SeedOrRandom();
        var sources = Enumerable.Range(0, request.N)
            .Select(i => (Func<CancellationToken, IAsyncEnumerable<GenerationEvent>>)(token =>
                service.Generate(call with { Options = call.Options with { Seed = unchecked(seed + (ulong)i) } }, token)))
            .ToList();
        return Merge(sources, ct);
    }

    private static async IAsyncEnumerable<(int, GenerationEvent)> Single(IAsyncEnumerable<GenerationEvent> source, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in source.WithCancellation(ct)) yield return (0, e);
    }

    private static async IAsyncEnumerable<(int, GenerationEvent)> Merge(
        IReadOnlyList<Func<CancellationToken, IAsyncEnumerable<GenerationEvent>>> sources, [EnumeratorCancellation] CancellationToken ct)
    {
        var merged = Channel.CreateUnbounded<(int, GenerationEvent)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pumps = sources.Select((s, i) => Pump(s(stop.Token), i, merged.Writer, stop.Token)).ToArray();
        var all = Task.WhenAll(pumps);
        _ = all.ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (var item in merged.Reader.ReadAllAsync(ct)) yield return item;
        }
        finally
        {
            // Leaving early (error, client gone) stops the other choices too; their own finally blocks abort them.
            await stop.CancelAsync();
            await all.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task Pump(IAsyncEnumerable<GenerationEvent> source, int index, ChannelWriter<(int, GenerationEvent)> into, CancellationToken ct)
    {
        await foreach (var e in source.WithCancellation(ct)) await into.WriteAsync((index, e), ct);
    }
}
