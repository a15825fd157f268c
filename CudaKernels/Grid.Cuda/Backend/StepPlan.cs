using Grid.Engine.Compute;

namespace Grid.Cuda.Backend;

/// <summary>
/// A step's batch as the kernels read it, laid out on the host before one upload: per token its id,
/// position, sequence and KV slot; the block tables flattened to [sequences][<see cref="BlocksPerSequence"/>];
/// the logit rows. Sized once for the backend's limits, refilled each step without allocating.
/// </summary>
public sealed class StepPlan
{
    public StepPlan(int maxTokens, int maxSequences, int maxBlocksPerSequence, int blockSize)
    {
        BlockSize = blockSize;
        MaxBlocksPerSequence = maxBlocksPerSequence;
        Tokens = new int[maxTokens];
        Positions = new int[maxTokens];
        TokenSequence = new int[maxTokens];
        Slots = new int[maxTokens];
        LogitRows = new int[maxTokens];
        BlockTables = new int[checked(maxSequences * maxBlocksPerSequence)];
        SequenceStart = new int[maxSequences];
        SequenceTokens = new int[maxSequences];
    }

    public int BlockSize { get; }
    public int MaxBlocksPerSequence { get; }
    public int TokenCount { get; private set; }
    public int SequenceCount { get; private set; }
    public int LogitCount { get; private set; }

    /// <summary>Row length of <see cref="BlockTables"/> this step: the most blocks any sequence reaches.</summary>
    public int BlocksPerSequence { get; private set; }

    /// <summary>The highest position in the step, plus one: how far attention reads at most.</summary>
    public int MaxContext { get; private set; }

    /// <summary>Every sequence contributes exactly one token: the decode kernels (split over the KV length) apply.</summary>
    public bool PureDecode { get; private set; }

    /// <summary>Each sequence's tokens sit together in the batch, so the batch splits into nano-batches along sequences.</summary>
    public bool Contiguous { get; private set; }

    public int[] Tokens { get; }
    public int[] Positions { get; }
    public int[] TokenSequence { get; }
    public int[] Slots { get; }
    public int[] LogitRows { get; }
    public int[] BlockTables { get; }

    /// <summary>Where each sequence's tokens start, and how many (meaningful when <see cref="Contiguous"/>).</summary>
    public int[] SequenceStart { get; }
    public int[] SequenceTokens { get; }

    /// <summary>Fills the plan from a batch the caller has validated (<see cref="ForwardBatch.Validate"/>).</summary>
    public void Fill(ForwardBatch batch)
    {
        TokenCount = batch.TokenCount;
        SequenceCount = batch.SequenceCount;
        LogitCount = batch.LogitCount;
        Array.Fill(SequenceTokens, 0, 0, SequenceCount);
        Array.Fill(SequenceStart, -1, 0, SequenceCount);
        var blocks = 1;
        var maxContext = 0;
        var contiguous = true;
        for (var t = 0; t < TokenCount; t++)
        {
            var s = batch.SequenceOf[t];
            var pos = batch.Positions[t];
            Tokens[t] = batch.Tokens[t];
            Positions[t] = pos;
            TokenSequence[t] = s;
            Slots[t] = batch.BlockTables[s][pos / BlockSize] * BlockSize + pos % BlockSize;
            blocks = Math.Max(blocks, pos / BlockSize + 1);
            maxContext = Math.Max(maxContext, pos + 1);
            if (SequenceStart[s] < 0) SequenceStart[s] = t;
            else if (SequenceStart[s] + SequenceTokens[s] != t) contiguous = false;
            SequenceTokens[s]++;
        }
        if (blocks > MaxBlocksPerSequence)
            throw new ArgumentException($"a sequence reaches {blocks} KV blocks; this backend was sized for {MaxBlocksPerSequence}");
        BlocksPerSequence = blocks;
        MaxContext = maxContext;
        Contiguous = contiguous;
        var pureDecode = true;
        for (var s = 0; s < SequenceCount; s++)
        {
            pureDecode &= SequenceTokens[s] == 1;
            var table = batch.BlockTables[s];
            var row = BlockTables.AsSpan(s * blocks, blocks);
            var have = Math.Min(table.Length, blocks);
            table.AsSpan(0, have).CopyTo(row);
            // Past a sequence's own blocks nothing is read (attention stops at the token's position); zeros keep the ids in range.
            row[have..].Clear();
        }
        PureDecode = pureDecode && TokenCount > 0;
        Array.Copy(batch.LogitRows, LogitRows, LogitCount);
    }
}
