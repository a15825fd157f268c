using Grid.Engine.KvCache;

namespace Grid.Engine.Scheduling;

/// <summary>
/// Decides each step's batch by one rule: every scheduled sequence's computed tokens catch up with
/// its tokens, within a token budget and a cap on running sequences. Running sequences go first
/// (a decode needs one token, an unfinished prompt its next chunk), then waiting ones by priority
/// and arrival. Running sequences are kept in that same order, so when blocks run out the last of
/// them (lowest priority, newest) gives its blocks back and waits to be recomputed; its full blocks
/// stay in the prefix cache, so the recomputation is often cheap.
/// </summary>
internal sealed class Scheduler(BlockPool pool, EngineOptions options, int budget, EngineMetrics metrics)
{
    private static readonly Comparer<Sequence> ByPriority = Comparer<Sequence>.Create((a, b) =>
        a.Request.Priority != b.Request.Priority ? a.Request.Priority.CompareTo(b.Request.Priority) : a.Order.CompareTo(b.Order));

    private readonly SortedSet<Sequence> _waiting = new(ByPriority);
    private readonly List<Sequence> _running = new(options.MaxSequences);

    public int Budget { get; } = budget;
    public int WaitingCount => _waiting.Count;
    public int RunningCount => _running.Count;
    public IReadOnlyList<Sequence> Running => _running;
    public IEnumerable<Sequence> Waiting => _waiting;

    public void Add(Sequence s) => _waiting.Add(s);

    public void Schedule(List<ScheduledChunk> chunks)
    {
        chunks.Clear();
        var budget = Budget;
        var preempted = false;
        for (var i = 0; i < _running.Count && budget > 0; i++)
        {
            var s = _running[i];
            var n = Math.Min(s.Length - s.Computed, budget);
            while (!Reserve(s, s.Computed + n))
            {
                var victim = _running[^1];
                Preempt(victim);
                preempted = true;
                if (victim == s) break;
            }
            if (!s.Running) break; // it was the newest and gave up its own blocks
            chunks.Add(new ScheduledChunk(s, s.Computed, n));
            budget -= n;
        }

        // A step that had to preempt admits no one: the memory it freed goes to those still running.
        while (!preempted && budget > 0 && _running.Count < options.MaxSequences && _waiting.Count > 0)
        {
            var s = _waiting.Min!;
            if (!s.PrefixLookedUp) LookUpPrefix(s);
            var left = s.Length - s.Computed;
            var n = Math.Min(left, budget);
            // Without chunking a prompt enters whole, in a later step; and a sequence that cannot get its
            // blocks now must not hold cached ones while it waits, or it could starve everyone.
            if ((!options.ChunkedPrefill && left > budget && chunks.Count > 0) || !Reserve(s, s.Computed + n))
            {
                ReleaseBlocks(s);
                break;
            }
            metrics.PrefixQueryTokens += options.PrefixCaching ? s.Length : 0;
            metrics.PrefixHitTokens += s.Computed;
            _waiting.Remove(s);
            var at = _running.BinarySearch(s, ByPriority);
            _running.Insert(at < 0 ? ~at : at, s);
            s.Running = true;
            chunks.Add(new ScheduledChunk(s, s.Computed, n));
            budget -= n;
        }
    }

    /// <summary>Records a computed chunk and registers the blocks it filled with the prefix cache.</summary>
    public void Commit(ScheduledChunk chunk)
    {
        var s = chunk.Sequence;
        s.Computed = chunk.Start + chunk.Count;
        if (!options.PrefixCaching) return;
        var size = pool.BlockSize;
        while ((s.RegisteredBlocks + 1) * size <= s.Computed)
        {
            var i = s.RegisteredBlocks;
            var parent = i == 0 ? pool.RootHash : s.BlockHashes[i - 1];
            var tokens = s.TokenSpan.Slice(i * size, size);
            var hash = BlockPool.Hash(parent, tokens);
            pool.Register(s.BlockTable[i], hash, tokens);
            s.BlockHashes[i] = hash;
            s.RegisteredBlocks++;
        }
    }

    /// <summary>Removes a finished or aborted sequence and gives its blocks back.</summary>
    public void Remove(Sequence s)
    {
        if (s.Running) _running.Remove(s);
        else _waiting.Remove(s);
        s.Running = false;
        ReleaseBlocks(s);
    }

    private bool Reserve(Sequence s, int tokens)
    {
        var needed = (tokens + pool.BlockSize - 1) / pool.BlockSize;
        // Fail before allocating anything: a partial reservation would evict cached blocks for nothing.
        if (needed - s.BlockCount > pool.AvailableCount) return false;
        while (s.BlockCount < needed)
        {
            if (!pool.TryAllocate(out var block)) return false;
            s.BlockTable[s.BlockCount++] = block;
        }
        return true;
    }

    private void Preempt(Sequence s)
    {
        _running.Remove(s);
        s.Running = false;
        ReleaseBlocks(s);
        s.Preemptions++;
        metrics.Preemptions++;
        _waiting.Add(s);
    }

    private void ReleaseBlocks(Sequence s)
    {
        // Tail blocks first, so the LRU evicts a prefix's end before its start.
        for (var i = s.BlockCount - 1; i >= 0; i--) pool.Release(s.BlockTable[i]);
        s.BlockCount = 0;
        s.RegisteredBlocks = 0;
        s.Computed = 0;
        s.PrefixLookedUp = false;
    }

    /// <summary>Takes the longest run of cached full blocks that match the sequence's tokens, leaving at least one token to compute.</summary>
    private void LookUpPrefix(Sequence s)
    {
        s.PrefixLookedUp = true;
        if (!options.PrefixCaching) return;
        var size = pool.BlockSize;
        var full = (s.Length - 1) / size;
        var parent = pool.RootHash;
        for (var i = 0; i < full; i++)
        {
            var tokens = s.TokenSpan.Slice(i * size, size);
            var hash = BlockPool.Hash(parent, tokens);
            var block = pool.Lookup(hash, tokens);
            if (block < 0) break;
            s.BlockTable[i] = block;
            s.BlockHashes[i] = hash;
            s.BlockCount = s.RegisteredBlocks = i + 1;
            parent = hash;
        }
        s.Computed = s.BlockCount * size;
        // Reported to the client once, for the prompt: a recomputation after preemption also hits its own output.
        if (s.Preemptions == 0) s.CachedTokens = Math.Min(s.Computed, s.PromptLength);
    }
}
