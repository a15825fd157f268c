using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Grid.Deploy.Tests;

/// <summary>Renders a kustomization with `kubectl kustomize` (offline) and reads the objects back, strictly typed.</summary>
public static partial class Kustomize
{
    private static readonly Lazy<string> Kubectl = new(FindKubectl);

    /// <summary>The rendered YAML of a kustomization folder (relative to the checkout or absolute).</summary>
    public static string Render(string folder)
    {
        var result = Tool.Run(Kubectl.Value, ["kustomize", Path.IsPathRooted(folder) ? folder : Repo.Path(folder)]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"kubectl kustomize {folder} failed: {result.Describe()}");
        return result.Output;
    }

    /// <summary>
    /// The objects as the Kubernetes client's models; strict: a field the API does not define (a typo such as
    /// readinesProbe) or a value of the wrong type is an error, as `kubectl apply --validate=strict` would make it.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject> Parse(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, strict: true).Cast<IKubernetesObject>().ToList();

    public static Rendered Load(string folder) => new(Parse(Render(folder)));

    private static string FindKubectl()
    {
        var kubectl = Tool.Require("kubectl", ".ci/run installs it (the machine image's kubectl, else Debian's kubernetes-client)");
        var version = Tool.Run(kubectl, ["version", "--client"]);
        // kubectl 1.20 (Debian's kubernetes-client) embeds kustomize v2, which lacks the `labels` and `patches` fields used here.
        var match = KustomizeVersion().Match(version.Output);
        if (!match.Success || int.Parse(match.Groups[1].Value) < 4)
            throw new InvalidOperationException($"kubectl at {kubectl} embeds no kustomize v4 or newer (`kubectl version --client` said: {version.Output.Trim()}); " +
                "deploy/k8s needs kubectl 1.21 or newer");
        return kubectl;
    }

    [GeneratedRegex(@"Kustomize Version:\s*v(\d+)\.")]
    private static partial Regex KustomizeVersion();
}

/// <summary>One rendered kustomization, with lookups by kind and name.</summary>
public sealed record Rendered(IReadOnlyList<IKubernetesObject> Objects)
{
    public T One<T>(string? name = null) where T : IKubernetesObject<V1ObjectMeta>
    {
        var matches = Objects.OfType<T>().Where(o => name is null || o.Metadata.Name == name).ToList();
        matches.Should().ContainSingle($"the rendering should hold one {typeof(T).Name}{(name is null ? "" : $" named {name}")}");
        return matches[0];
    }

    public V1Deployment Silo => One<V1Deployment>("grid-silo");

    public V1Container SiloContainer => Silo.Spec.Template.Spec.Containers.Single(c => c.Name == "silo");

    public IReadOnlyDictionary<string, V1EnvVar> Env => SiloContainer.Env.ToDictionary(e => e.Name);

    public string EnvValue(string name)
    {
        Env.Should().ContainKey(name);
        return Env[name].Value;
    }
}
