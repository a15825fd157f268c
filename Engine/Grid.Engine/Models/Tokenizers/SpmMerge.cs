namespace Grid.Engine.Models.Tokenizers;

/// <summary>
/// SentencePiece's merge loop in O(n log n): the symbols form a linked list, candidate pairs wait in
/// a priority queue ordered by score and then by position, and a pair whose symbols changed since
/// it was queued is skipped. That picks the same pair as rescanning for the best-scoring, leftmost
/// pair each round (llama2.c's rule), since list positions keep their order.
/// </summary>
internal static class SpmMerge
{
    private readonly record struct Pair(int Left, int Right, int LeftVersion, int RightVersion, int Merged);

    private sealed class Order : IComparer<(float Score, int Left)>
    {
        public static readonly Order Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            var byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
        }
    }

    public static List<int> Run(List<int> symbols, string[] keys, IReadOnlyList<float> scores, Dictionary<string, int> ids)
    {
        var n = symbols.Count;
        var token = symbols.ToArray();
        var next = new int[n];
        var prev = new int[n];
        var version = new int[n];
        for (var i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }

        var queue = new PriorityQueue<Pair, (float, int)>(Order.Instance);
        void Offer(int left, int right)
        {
            if (left < 0 || right < 0) return;
            if (ids.TryGetValue(keys[token[left]] + keys[token[right]], out var merged))
                queue.Enqueue(new Pair(left, right, version[left], version[right], merged), (scores[merged], left));
        }

        for (var i = 0; i + 1 < n; i++) Offer(i, i + 1);
        while (queue.TryDequeue(out var p, out _))
        {
            if (next[p.Left] != p.Right || version[p.Left] != p.LeftVersion || version[p.Right] != p.RightVersion) continue;
            token[p.Left] = p.Merged;
            version[p.Left]++;
            version[p.Right]++;
            var after = next[p.Right];
            next[p.Left] = after;
            if (after >= 0) prev[after] = p.Left;
            next[p.Right] = -1;
            prev[p.Right] = -1;
            Offer(prev[p.Left], p.Left);
            Offer(p.Left, after);
        }

        var result = new List<int>(n);
        for (var i = n > 0 ? 0 : -1; i >= 0; i = next[i]) result.Add(token[i]);
        return result;
    }
}
