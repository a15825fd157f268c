using System.Reflection;

namespace Grid.Deploy.Tests;

/// <summary>
/// The Bicep CLI that restore brought in (PackageDownload Azure.Bicep.CommandLine.linux-x64, see the project file):
/// the package carries the binary in tools/, without its run bit.
/// </summary>
public static class Bicep
{
    public const string Version = "0.49.2";

    public static string Binary { get; } = Find();

    /// <summary>`bicep build FILE --stdout` or `bicep build-params FILE --stdout`: ARM JSON on stdout, diagnostics on stderr.</summary>
    public static BicepResult Build(string file)
    {
        var verb = file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build";
        var result = Tool.Run(Binary, [verb, file, "--stdout"], workingDirectory: System.IO.Path.GetDirectoryName(file));
        return new BicepResult(result);
    }

    private static string Find()
    {
        var root = typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        var candidates = new[] { root, Environment.GetEnvironmentVariable("NUGET_PACKAGES"), System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") }
            .Where(r => !string.IsNullOrEmpty(r))
            .Select(r => System.IO.Path.Combine(r!, "azure.bicep.commandline.linux-x64", Version, "tools", "bicep"))
            .ToList();
        var binary = candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"the Bicep CLI {Version} is not restored (looked at {string.Join(", ", candidates)}): " +
                "`dotnet restore Tests/Grid.Deploy.Tests` fetches the NuGet package Azure.Bicep.CommandLine.linux-x64");
        // The package is linux-x64 only; Windows has no run bit to set.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(binary).HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(binary, File.GetUnixFileMode(binary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return binary;
    }
}

/// <summary>A compile's outcome: its diagnostics are the stderr lines "FILE(LINE,COL) : Warning|Error CODE: message".</summary>
public sealed record BicepResult(ToolResult Run)
{
    public IReadOnlyList<string> Warnings => Lines(" : Warning ");
    public IReadOnlyList<string> Errors => Lines(" : Error ");
    public string Json => Run.Output;

    private IReadOnlyList<string> Lines(string marker) =>
        Run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Contains(marker, StringComparison.Ordinal)).ToList();
}
