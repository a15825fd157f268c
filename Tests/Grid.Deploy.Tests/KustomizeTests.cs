using Xunit.Abstractions;

namespace Grid.Deploy.Tests;

/// <summary>The overlays render with `kubectl kustomize` and every object passes the Kubernetes schemas, offline.</summary>
public sealed class KustomizeTests(ITestOutputHelper output)
{
    public static TheoryData<string> Folders => new()
    {
        "deploy/k8s/overlays/cpu",
        "deploy/k8s/overlays/gpu",
        "deploy/k8s/nvidia-device-plugin",
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void Renders_and_every_object_passes_the_schemas(string folder)
    {
        var yaml = Kustomize.Render(folder);
        var schema = SchemaValidator.Validate(yaml);
        output.WriteLine(schema.Output);
        schema.ExitCode.Should().Be(0, schema.Describe());
        schema.Output.Should().NotContain("invalid").And.NotContain("unknown");
        // The typed, strict reading: no field the API lacks.
        Kustomize.Parse(yaml).Should().NotBeEmpty();
    }

    [Fact]
    public void Both_overlays_render_the_same_kinds()
    {
        static string[] Kinds(string folder) => Kustomize.Load(folder).Objects.Select(o => $"{o.Kind}/{o.ApiVersion}").Order().ToArray();
        Kinds("deploy/k8s/overlays/gpu").Should().Equal(Kinds("deploy/k8s/overlays/cpu"));
        Kinds("deploy/k8s/overlays/gpu").Should().Contain(["Deployment/apps/v1", "HorizontalPodAutoscaler/autoscaling/v2", "PodDisruptionBudget/policy/v1",
            "Role/rbac.authorization.k8s.io/v1", "RoleBinding/rbac.authorization.k8s.io/v1", "Service/v1", "ServiceAccount/v1", "ConfigMap/v1"]);
    }

    [Fact]
    public void The_schema_check_rejects_a_value_of_the_wrong_type()
    {
        var yaml = Kustomize.Render("deploy/k8s/overlays/gpu");
        yaml.Should().Contain("minReplicas: 2");
        var broken = yaml.Replace("minReplicas: 2", "minReplicas: two");
        var schema = SchemaValidator.Validate(broken);
        schema.ExitCode.Should().Be(1);
        schema.Output.Should().Contain("invalid HorizontalPodAutoscaler/grid-silo").And.Contain("minReplicas");
        var strict = () => Kustomize.Parse(broken);
        strict.Should().Throw<Exception>();
    }

    [Fact]
    public void The_schema_check_rejects_an_object_missing_a_required_field()
    {
        const string noContainers = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels: {a: b}\n  template:\n    spec: {}\n";
        var schema = SchemaValidator.Validate(noContainers);
        schema.ExitCode.Should().Be(1);
        schema.Output.Should().Contain("containers");
    }

    [Fact]
    public void The_strict_reading_rejects_a_misspelt_field()
    {
        // The npm schemas allow unknown fields; the typed reading is what catches a typo that would silently drop a probe.
        var yaml = Kustomize.Render("deploy/k8s/overlays/cpu");
        yaml.Should().Contain("readinessProbe:");
        var act = () => Kustomize.Parse(yaml.Replace("readinessProbe:", "readinesProbe:"));
        act.Should().Throw<Exception>().Which.Message.Should().Contain("readinesProbe");
    }
}
