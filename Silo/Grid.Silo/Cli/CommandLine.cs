using System.Globalization;

namespace Grid.Silo.Cli;

/// <summary>
/// A small parser for <c>--name value</c> and <c>--flag</c> arguments. Unknown names, missing values
/// and values of the wrong kind are errors that name the option.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flagOptions)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            string name;
            string? inline = null;
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            var eq = arg.IndexOf('=');
            (name, inline) = eq > 0 ? (arg[2..eq], arg[(eq + 1)..]) : (arg[2..], null);
            if (flagOptions.Contains(name) && inline is null)
            {
                _flags.Add(name);
                continue;
            }
            if (!valueOptions.Contains(name)) throw new UsageException($"unknown option '--{name}'");
            var value = inline ?? (e.MoveNext() ? e.Current : throw new UsageException($"option '--{name}' needs a value"));
            if (!_values.TryGetValue(name, out var list)) _values[name] = list = [];
            list.Add(value);
        }
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public int? Int(string name) => Parse<int>(name, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, "a whole number");

    public float? Float(string name) => Parse<float>(name, s => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? v : (float?)null, "a number");

    public ulong? ULong(string name) => Parse<ulong>(name, s => ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (ulong?)null, "a non-negative whole number");

    private T? Parse<T>(string name, Func<string, T?> parse, string kind) where T : struct
    {
        var s = String(name);
        if (s is null) return null;
        return parse(s) ?? throw new UsageException($"option '--{name}' must be {kind} (got '{s}')");
    }
}
