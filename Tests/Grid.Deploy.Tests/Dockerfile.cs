namespace Grid.Deploy.Tests;

/// <summary>One instruction of a Dockerfile: keyword and its text, continuation lines joined.</summary>
public sealed record Instruction(string Keyword, string Arguments, int Stage);

/// <summary>A Dockerfile of deploy/docker read into its instructions, enough to check what the images promise.</summary>
public sealed record Dockerfile(string Name, IReadOnlyList<Instruction> Instructions)
{
    public static Dockerfile Load(string name)
    {
        var lines = File.ReadAllLines(Repo.Path("deploy", "docker", name));
        var instructions = new List<Instruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0)) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var text = (pending + line).Trim();
            pending = "";
            var space = text.IndexOf(' ');
            var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
            if (keyword == "FROM") stage++;
            instructions.Add(new Instruction(keyword, space < 0 ? "" : text[(space + 1)..].Trim(), stage));
        }
        return new Dockerfile(name, instructions);
    }

    public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public int FinalStage => Instructions.Max(i => i.Stage);

    public IEnumerable<Instruction> InFinalStage(string keyword) => All(keyword).Where(i => i.Stage == FinalStage);

    /// <summary>The user the container runs as: the final stage's last USER.</summary>
    public string FinalUser => InFinalStage("USER").Last().Arguments;

    /// <summary>ARG defaults declared before the first FROM (usable in FROM lines).</summary>
    public IReadOnlyDictionary<string, string> GlobalArgs => All("ARG").Where(a => a.Stage < 0 && a.Arguments.Contains('='))
        .ToDictionary(a => a.Arguments[..a.Arguments.IndexOf('=')], a => a.Arguments[(a.Arguments.IndexOf('=') + 1)..]);

    /// <summary>The image of each stage, with global ARG defaults substituted.</summary>
    public IReadOnlyList<string> BaseImages => All("FROM").Select(f =>
    {
        var image = f.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        foreach (var (name, value) in GlobalArgs) image = image.Replace("${" + name + "}", value);
        return image;
    }).ToList();

    /// <summary>Sources of COPY instructions that read the build context (not --from another stage).</summary>
    public IEnumerable<string> ContextSources => All("COPY")
        .Where(c => !c.Arguments.Contains("--from=", StringComparison.Ordinal))
        .SelectMany(c =>
        {
            var parts = c.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToArray();
            return parts[..^1];
        });
}
