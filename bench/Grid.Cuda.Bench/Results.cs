using System.Text;
using System.Text.Json;

namespace Grid.Cuda.Bench;

/// <summary>Named figures and pass/fail checks, printed as they come and written as one JSON object (no reflection: the program is trimmed).</summary>
public sealed class Results
{
    private readonly List<(string Key, object Value)> _entries = [];

    public int Failures { get; private set; }

    public void Figure(string key, double value, string? unit = null)
    {
        _entries.Add((key, value));
        Console.WriteLine($"{key} = {value:G6}{(unit is null ? "" : " " + unit)}");
    }

    public void Note(string key, string value)
    {
        _entries.Add((key, value));
        Console.WriteLine($"{key}: {value}");
    }

    public void Check(string key, bool passed, string detail)
    {
        _entries.Add((key, passed ? "pass" : "FAIL"));
        _entries.Add((key + ".detail", detail));
        if (!passed) Failures++;
        Console.WriteLine($"[{(passed ? "pass" : "FAIL")}] {key}: {detail}");
    }

    public void Write(string path)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        foreach (var (key, value) in _entries)
        {
            if (value is double d && double.IsFinite(d)) w.WriteNumber(key, d);
            else w.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        }
        w.WriteNumber("failures", Failures);
        w.WriteEndObject();
    }
}
