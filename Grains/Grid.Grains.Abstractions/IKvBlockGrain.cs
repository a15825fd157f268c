namespace Grid.Grains;

/// <summary>
/// The cluster-wide index entry of one full, shareable KV block (key: <see cref="KvBlockKey.Of"/>, the model
/// and the block's chained content hash). GPU grains tell it, off the hot path and in bulk (one call per block
/// per flush), when their prefix cache starts or stops holding the block; routers ask who holds it.
/// </summary>
/// <remarks>
/// Stored/Removed are awaited rather than [OneWay]: a GPU grain flushes again only after its previous flush
/// was answered, so a block's Stored and a later Removed from one GPU can never arrive out of order.
/// </remarks>
[Alias("grid.IKvBlockGrain")]
public interface IKvBlockGrain : IGrainWithStringKey
{
    /// <summary>The GPU's prefix cache now holds this block.</summary>
    [Alias("Stored")]
    Task Stored(string gpu);

    /// <summary>The GPU evicted the block, or stopped; the entry goes away when no GPU holds it.</summary>
    [Alias("Removed")]
    Task Removed(string gpu);

    /// <summary>The GPUs holding the block, as last told (a hint: a GPU may have evicted it since).</summary>
    /// <remarks>A placement waits on this: a short timeout lets the router fall back to placing by load instead.</remarks>
    [Alias("Holders"), ResponseTimeout("00:00:02")]
    Task<string[]> Holders();
}
