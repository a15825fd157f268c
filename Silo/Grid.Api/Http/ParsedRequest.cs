using Grid.Api.Generation;

namespace Grid.Api.Http;

/// <summary>A validated request: the call to run <see cref="N"/> times, how to answer, and how many alternatives (null: no logprobs).</summary>
internal sealed record ParsedRequest(GenerationCall Call, int N, bool Stream, bool IncludeUsage, int? TopLogProbs);
