namespace Grid.Engine.Compute;

/// <summary>
/// One forward step's input: a flat list of tokens, each with its position and the sequence it
/// belongs to. Each sequence reads and writes its KV cache through its block table. Prefill (many
/// tokens of one sequence), decode (one token of many) and any mix go through the same code.
/// Arrays are sized once for a capacity and refilled each step, so a step allocates nothing.
/// </summary>
public sealed class ForwardBatch
{
    public ForwardBatch(int maxTokens, int maxSequences)
    {
        Tokens = new int[maxTokens];
        Positions = new int[maxTokens];
        SequenceOf = new int[maxTokens];
        LogitRows = new int[maxTokens];
        BlockTables = new int[maxSequences][];
        _highest = new int[maxSequences];
    }

    private readonly int[] _highest;

    public int TokenCount { get; private set; }
    public int SequenceCount { get; private set; }

    /// <summary>How many tokens need logits (their indices are <see cref="LogitRows"/>).</summary>
    public int LogitCount { get; private set; }

    public int[] Tokens { get; }
    public int[] Positions { get; }

    /// <summary>For each token, the index of its sequence in <see cref="BlockTables"/>.</summary>
    public int[] SequenceOf { get; }

    /// <summary>Token indices, ascending, whose logits the step returns, in this order.</summary>
    public int[] LogitRows { get; }

    /// <summary>Per sequence, block ids: position p lives in block BlockTables[s][p / blockSize].</summary>
    public int[][] BlockTables { get; }

    public int MaxTokens => Tokens.Length;

    public void Clear()
    {
        TokenCount = 0;
        SequenceCount = 0;
        LogitCount = 0;
    }

    /// <summary>Adds a sequence and returns its index for <see cref="Add"/>.</summary>
    public int AddSequence(int[] blockTable)
    {
        ArgumentNullException.ThrowIfNull(blockTable);
        if (SequenceCount == BlockTables.Length)
            throw new InvalidOperationException($"the batch holds at most {BlockTables.Length} sequences");
        BlockTables[SequenceCount] = blockTable;
        return SequenceCount++;
    }

    public void Add(int sequence, int token, int position, bool wantLogits)
    {
        if (TokenCount == Tokens.Length)
            throw new InvalidOperationException($"the batch holds at most {Tokens.Length} tokens");
        if ((uint)sequence >= (uint)SequenceCount)
            throw new ArgumentOutOfRangeException(nameof(sequence), $"sequence {sequence} was not added");
        Tokens[TokenCount] = token;
        Positions[TokenCount] = position;
        SequenceOf[TokenCount] = sequence;
        if (wantLogits) LogitRows[LogitCount++] = TokenCount;
        TokenCount++;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first thing a backend of this shape cannot
    /// run: too many tokens, too small a logits buffer, a token outside the vocabulary, a position
    /// outside the context, or a block table that does not reach a token's position or points outside
    /// the pool (attention reads every block up to a token's own, so all of them are checked).
    /// </summary>
    public void Validate(Models.ModelConfig config, int blockSize, int blockCount, int maxTokens, long logitsLength)
    {
        if (TokenCount > maxTokens) throw new ArgumentException($"the batch has {TokenCount} tokens; this backend takes at most {maxTokens}");
        if (logitsLength < (long)LogitCount * config.VocabSize)
            throw new ArgumentException($"logits holds {logitsLength} floats; the batch needs {LogitCount} x {config.VocabSize}");
        Array.Fill(_highest, -1, 0, SequenceCount);
        for (var t = 0; t < TokenCount; t++)
        {
            if ((uint)Tokens[t] >= (uint)config.VocabSize)
                throw new ArgumentException($"token id {Tokens[t]} is outside the vocabulary (0..{config.VocabSize - 1})");
            var pos = Positions[t];
            if (pos < 0 || pos >= config.ContextLength)
                throw new ArgumentException($"position {pos} is outside the model's context (0..{config.ContextLength - 1})");
            _highest[SequenceOf[t]] = Math.Max(_highest[SequenceOf[t]], pos);
        }
        for (var s = 0; s < SequenceCount; s++)
        {
            var highest = _highest[s];
            if (highest < 0) continue;
            var table = BlockTables[s];
            if (highest / blockSize >= table.Length)
                throw new ArgumentException($"position {highest} has no KV block in its sequence's block table ({table.Length} blocks of {blockSize})");
            for (var b = 0; b <= highest / blockSize; b++)
                if ((uint)table[b] >= (uint)blockCount)
                    throw new ArgumentException($"block id {table[b]} is outside the KV pool (0..{blockCount - 1})");
        }
    }
}
