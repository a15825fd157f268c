using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Grid.Silo.Tests;

/// <summary>
/// A process the test starts and always kills. It keeps the last lines it printed for failure messages, and all of
/// them in a log file under the temp folder, named in <see cref="Tail"/>; the file is deleted at the end unless a
/// failure asked for the tail.
/// </summary>
public sealed partial class ChildProcess : IDisposable
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

    /// <summary>SIGKILL on Linux: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: what `docker stop` and Kubernetes send first; the process decides what to do with it.</summary>
    public void Terminate()
    {
        const int SigTerm = 15;
        if (SendSignal(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Waits for the process to exit; false if it still runs after <paramref name="deadline"/>.</summary>
    public async Task<bool> WaitForExit(TimeSpan deadline)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(deadline);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Everything the process printed so far (from its log file; the tail in memory keeps only the last lines).</summary>
    public string Output()
    {
        lock (_log)
        {
            using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

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
