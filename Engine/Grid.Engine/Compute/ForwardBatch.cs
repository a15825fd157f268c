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
    }

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
}
