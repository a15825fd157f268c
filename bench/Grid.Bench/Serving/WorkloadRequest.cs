namespace Grid.Bench.Serving;

/// <summary>One request of a serving workload: when it arrives (seconds from the start), its prompt, and exactly how many tokens it generates.</summary>
public sealed record WorkloadRequest(int Index, double ArrivalSeconds, int[] Prompt, int OutputTokens);
