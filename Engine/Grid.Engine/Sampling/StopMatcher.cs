namespace Grid.Engine.Sampling;

/// <summary>
/// Finds stop strings in streamed text. Each chunk's text is released except a suffix that could still grow
/// into a stop string; when one completes, the text before it is released and nothing after. Where several
/// could match, the one that completes first in the stream wins (the longer one if two end together), so the
/// result does not depend on how the text was cut into chunks.
/// </summary>
public sealed class StopMatcher
{
    private readonly string[] _stops;
    private string _held = "";
    private bool _stopped;

    public StopMatcher(IEnumerable<string> stopStrings)
    {
        _stops = stopStrings.ToArray();
        if (_stops.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop strings must not be empty", nameof(stopStrings));
    }

    public bool Stopped => _stopped;

    public StopMatchResult Append(string chunk)
    {
        if (_stopped) return new StopMatchResult("", true);
        if (_stops.Length == 0) return new StopMatchResult(chunk, false);
        var text = _held + chunk;

        int bestStart = -1, bestEnd = int.MaxValue;
        foreach (var stop in _stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at < 0) continue;
            var end = at + stop.Length;
            if (end < bestEnd || (end == bestEnd && at < bestStart)) (bestStart, bestEnd) = (at, end);
        }
        if (bestStart >= 0)
        {
            _stopped = true;
            _held = "";
            return new StopMatchResult(text[..bestStart], true);
        }

        var hold = HeldSuffixLength(text);
        _held = text[^hold..];
        return new StopMatchResult(text[..^hold], false);
    }

    /// <summary>What was held back, at the end of generation; empty once a stop string matched.</summary>
    public string Flush()
    {
        var text = _held;
        _held = "";
        return text;
    }

    /// <summary>The longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    private int HeldSuffixLength(string text)
    {
        var best = 0;
        foreach (var stop in _stops)
        {
            for (var len = Math.Min(stop.Length - 1, text.Length); len > best; len--)
            {
                if (text.AsSpan(text.Length - len).SequenceEqual(stop.AsSpan(0, len))) { best = len; break; }
            }
        }
        return best;
    }
}
