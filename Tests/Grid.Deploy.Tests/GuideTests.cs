using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Grid.Deploy.Tests;

/// <summary>
/// deploy/README.md's offline blocks (```bash blocks whose first line is "# offline") run as written, with sample values
/// for the Azure outputs they read, and no other block holds a command that could have run offline.
/// </summary>
public sealed partial class GuideTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("grid-guide-");

    public void Dispose() => _scratch.Delete(recursive: true);

    private static IReadOnlyList<string[]> Blocks() =>
        BashBlock().Matches(Repo.Read("deploy", "README.md")).Select(m => m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();

    private static bool IsOffline(string[] block) => block[0].Trim() == "# offline";

    public static TheoryData<int> OfflineBlocks()
    {
        var data = new TheoryData<int>();
        var blocks = Blocks();
        for (var i = 0; i < blocks.Count; i++)
            if (IsOffline(blocks[i])) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(OfflineBlocks))]
    public void Offline_block_runs(int index)
    {
        var block = Blocks()[index];
        // `bicep` as `az bicep install` would give it: here the NuGet package's binary.
        var bin = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "bin"));
        File.CreateSymbolicLink(Path.Combine(bin.FullName, "bicep"), Bicep.Binary);
        Kustomize.Render("deploy/k8s/base"); // fails first, clearly, where kubectl is missing or too old
        var script = string.Join('\n', ["set -euo pipefail", .. block]);
        var result = Tool.Run(Tool.Require("bash", "install bash"), ["-c", script], environment: new Dictionary<string, string>
        {
            ["PATH"] = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}",
            ["ACR_LOGIN_SERVER"] = "gridacrabc123.azurecr.io",
            ["TABLE_ENDPOINT"] = "https://gridstabc123.table.core.windows.net/",
            ["CLIENT_ID"] = "11111111-2222-3333-4444-555555555555",
            ["OVERLAY"] = Path.Combine(_scratch.FullName, "overlay"),
        });
        output.WriteLine(script);
        output.WriteLine(result.Describe());
        result.ExitCode.Should().Be(0, result.Describe());
        result.Error.Should().NotContain("Warning", "bicep reports its warnings on stderr");
    }

    [Fact]
    public void The_guide_has_offline_blocks_and_no_offline_command_outside_them()
    {
        var blocks = Blocks();
        var offline = blocks.Where(IsOffline).SelectMany(b => b).ToList();
        offline.Should().Contain(l => l.StartsWith("bicep build deploy/azure/main.bicep"));
        offline.Should().Contain(l => l.StartsWith("bicep build-params deploy/azure/main.bicepparam"));
        offline.Should().Contain(l => l.StartsWith("kubectl kustomize deploy/k8s/overlays/gpu"));
        offline.Should().Contain(l => l.StartsWith("deploy/k8s/configure.sh gpu"));
        var elsewhere = blocks.Where(b => !IsOffline(b)).SelectMany(b => b).Where(l => OfflineCommand().IsMatch(l)).ToList();
        elsewhere.Should().BeEmpty("commands that run without Azure belong in a '# offline' block, which the tests run");
    }

    [Fact]
    public void The_repository_readme_links_the_guide()
    {
        Repo.Read("README.md").Should().Contain("deploy/README.md");
    }

    [GeneratedRegex("```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"^\s*(MODEL=\S+\s+)?(bicep |kubectl kustomize |deploy/k8s/configure\.sh |node deploy/checks/)")]
    private static partial Regex OfflineCommand();
}
