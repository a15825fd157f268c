namespace Grid.Engine.KvCache;

public enum KvEventKind { Stored, Removed }

/// <summary>A change to the set of shareable blocks, for the cluster-wide KV block index to learn in bulk, off the hot path.</summary>
public readonly record struct KvEvent(KvEventKind Kind, ulong Hash, int Block);
