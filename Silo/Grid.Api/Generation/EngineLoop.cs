using System.Threading.Channels;
using Grid.Engine.Scheduling;

namespace Grid.Api.Generation;

/// <summary>
/// Drives one <see cref="EngineCore"/> on its own thread (the engine is single-threaded): adds and
/// aborts arrive through a queue between steps, and each request's outputs go to its own channel.
/// </summary>
internal sealed class EngineLoop : IDisposable
{
    private abstract record Command;
    private sealed record AddCommand(EngineRequest Request, ChannelWriter<RequestOutput> Outputs) : Command;
    private sealed record AbortCommand(string Id) : Command;

    private readonly EngineCore _engine;
    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, ChannelWriter<RequestOutput>> _outputs = new();
    private readonly Thread _thread;
    private int _activeRequests;
    private int _kvBlocksUsed;
    private long _requestsAborted;

    public EngineLoop(EngineCore engine, string name)
    {
        _engine = engine;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Requests in the engine after the last step (a snapshot other threads may read).</summary>
    public int ActiveRequests => Volatile.Read(ref _activeRequests);
    public int KvBlocksUsed => Volatile.Read(ref _kvBlocksUsed);
    public long RequestsAborted => Volatile.Read(ref _requestsAborted);

    /// <summary>Queues a request; its outputs, or the reason the engine refused it, arrive on <paramref name="outputs"/>.</summary>
    public void Add(EngineRequest request, ChannelWriter<RequestOutput> outputs)
    {
        if (!_commands.Writer.TryWrite(new AddCommand(request, outputs)))
            throw new ObjectDisposedException(nameof(EngineGenerationService));
    }

    public void Abort(string id) => _commands.Writer.TryWrite(new AbortCommand(id));

    public void Dispose()
    {
        _commands.Writer.TryComplete();
        _thread.Join();
    }

    private void Run()
    {
        var reader = _commands.Reader;
        while (true)
        {
            while (reader.TryRead(out var command)) Apply(command);
            if (!_engine.HasWork)
            {
                Publish();
                // Idle: block this thread (it is ours alone) until the next command or shutdown.
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) break;
                continue;
            }
            Step();
        }
        foreach (var w in _outputs.Values) w.TryComplete(new ObjectDisposedException(nameof(EngineGenerationService)));
        _outputs.Clear();
    }

    private void Apply(Command command)
    {
        switch (command)
        {
            case AddCommand add:
                try
                {
                    _engine.Add(add.Request);
                    _outputs[add.Request.Id] = add.Outputs;
                }
                catch (ArgumentException e)
                {
                    add.Outputs.TryComplete(ApiException.BadRequest(e.Message, null));
                }
                break;
            case AbortCommand abort:
                _engine.Abort(abort.Id);
                break;
        }
    }

    private void Step()
    {
        IReadOnlyList<RequestOutput> outputs;
        try
        {
            outputs = _engine.Step();
        }
        catch (Exception e)
        {
            // A failed step leaves no request able to go on: fail them all, free their blocks, keep serving.
            foreach (var (id, w) in _outputs)
            {
                w.TryComplete(new ApiException(500, $"the engine failed: {e.Message}", null, "engine_error", "server_error"));
                _engine.Abort(id);
            }
            _outputs.Clear();
            _engine.Step();
            return;
        }
        foreach (var o in outputs)
        {
            if (!_outputs.TryGetValue(o.Id, out var w)) continue;
            w.TryWrite(o);
            if (o.Finish is null) continue;
            w.TryComplete();
            _outputs.Remove(o.Id);
        }
        Publish();
    }

    private void Publish()
    {
        Volatile.Write(ref _activeRequests, _engine.RequestCount);
        Volatile.Write(ref _kvBlocksUsed, _engine.Pool.UsedCount);
        Volatile.Write(ref _requestsAborted, _engine.Metrics.RequestsAborted);
    }
}
