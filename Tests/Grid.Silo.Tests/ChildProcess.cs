using System.Collections.Concurrent;
using System.Diagnostics;

namespace Grid.Silo.Tests;

/// <summary>
/// A process the test starts and always kills. It keeps the last lines it printed for failure messages, and all of
/// them in a log file under the temp folder, named in <see cref="Tail"/>; the file is deleted at the end unless a
/// failure asked for the tail.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter _log;
    private bool _keepLog;
    private bool _closed;

    public ChildProcess(string name, string file, IEnumerable<string> args)
    {
        Name = name;
        var logs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "grid-tests"));
        LogFile = Path.Combine(logs.FullName, $"{DateTime.Now:yyyyMMdd-HHmmss}-{name.Replace(' ', '-')}-{Guid.NewGuid().ToString("N")[..8]}.log");
        _log = new StreamWriter(LogFile) { AutoFlush = true };
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string LogFile { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL on Linux: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public string Tail()
    {
        _keepLog = true;
        return $"--- {Name} (pid {_process.Id}{(_process.HasExited ? $", exited {_process.ExitCode}" : "")}; all of its output in {LogFile}) ---\n{string.Join('\n', _lines)}";
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_log)
            if (!_closed) _log.WriteLine(line);
        _lines.Enqueue(line);
        while (_lines.Count > KeptLines) _lines.TryDequeue(out _);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        _process.Dispose();
        lock (_log)
        {
            // Output events can still come after the process is gone.
            _closed = true;
            _log.Dispose();
        }
        if (!_keepLog) File.Delete(LogFile);
    }
}
