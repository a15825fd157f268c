using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Grid.Deploy.Tests;

/// <summary>
/// dockerfilelint (npm, from `npm ci --prefix deploy/checks`) over the images: hadolint is not to be had here.
/// Its one false positive: it rejects HEALTHCHECK --start-period (its option pattern --\w+ stops at the hyphen, so
/// it reads "--start"), so each file is linted as written and with that option removed, and the second must be clean.
/// </summary>
public sealed partial class DockerfileLintTests(ITestOutputHelper output)
{
    private static JsonArray Lint(string file)
    {
        var linter = Repo.Path("deploy", "checks", "node_modules", ".bin", "dockerfilelint");
        if (!File.Exists(linter)) throw new InvalidOperationException($"{linter} is missing: run `npm ci --prefix deploy/checks` (.ci/run does)");
        var result = Tool.Run(linter, ["-o", "json", file]);
        // Its exit code is the number of issues; the JSON says which.
        return JsonNode.Parse(result.Output)!["files"]![0]!["issues"]!.AsArray();
    }

    [Theory]
    [InlineData("Dockerfile.cpu")]
    [InlineData("Dockerfile.cuda")]
    public void Lints_clean_but_for_the_linters_start_period_bug(string name)
    {
        var path = Repo.Path("deploy", "docker", name);
        var issues = Lint(path);
        foreach (var issue in issues) output.WriteLine(issue!.ToJsonString());
        issues.Should().OnlyContain(i => ((string)i!["content"]!).StartsWith("HEALTHCHECK") && ((string)i["title"]!) == "Invalid Argument Format");

        var copy = Path.Combine(Path.GetTempPath(), $"grid-lint-{Guid.NewGuid():N}-{name}");
        try
        {
            File.WriteAllText(copy, StartPeriod().Replace(File.ReadAllText(path), ""));
            var rest = Lint(copy);
            foreach (var issue in rest) output.WriteLine(issue!.ToJsonString());
            rest.Should().BeEmpty();
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void The_linter_reports_a_careless_install()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"grid-lint-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(copy, "FROM mcr.microsoft.com/dotnet/aspnet:10.0\nRUN apt-get update && apt-get install curl\n");
            Lint(copy).Should().NotBeEmpty();
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [GeneratedRegex(@"--start-period=\d+s ")]
    private static partial Regex StartPeriod();
}
