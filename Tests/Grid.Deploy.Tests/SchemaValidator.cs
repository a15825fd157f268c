namespace Grid.Deploy.Tests;

/// <summary>
/// deploy/checks/validate-k8s.mjs: the Kubernetes OpenAPI schemas compiled into the npm package kubernetes-models
/// (types, formats, required fields), run by node offline. Its packages come from `npm ci --prefix deploy/checks`.
/// </summary>
public static class SchemaValidator
{
    public static ToolResult Validate(string yaml)
    {
        var node = Tool.Require("node", "install Node.js (Debian: apt-get install nodejs npm)");
        var modules = Repo.Path("deploy", "checks", "node_modules", "kubernetes-models");
        if (!Directory.Exists(modules))
            throw new InvalidOperationException($"{modules} is missing: run `npm ci --prefix deploy/checks` (.ci/run does)");
        return Tool.Run(node, [Repo.Path("deploy", "checks", "validate-k8s.mjs")], stdin: yaml);
    }
}
