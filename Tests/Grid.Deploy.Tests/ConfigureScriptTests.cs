namespace Grid.Deploy.Tests;

/// <summary>deploy/k8s/configure.sh, as the guide runs it with main.bicep's outputs, writes an overlay that renders and validates.</summary>
public sealed class ConfigureScriptTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("grid-overlay-");

    public void Dispose() => _dir.Delete(recursive: true);

    private ToolResult Configure(params string[] args) => ConfigureWithModel(null, args);

    private ToolResult ConfigureWithModel(string? model, params string[] args) =>
        Tool.Run(Tool.Require("bash", "install bash"), [Repo.Path("deploy", "k8s", "configure.sh"), .. args],
            environment: new Dictionary<string, string> { ["MODEL"] = model ?? "" });

    [Theory]
    [InlineData("gpu", "cuda")]
    [InlineData("cpu", "cpu")]
    public void Points_the_overlay_at_the_registry_the_table_endpoint_and_the_identity(string flavor, string tag)
    {
        var result = Configure(flavor, "gridacrabc123.azurecr.io", "https://gridstabc123.table.core.windows.net/", "11111111-2222-3333-4444-555555555555", _dir.FullName);
        result.ExitCode.Should().Be(0, result.Describe());
        var yaml = Kustomize.Render(_dir.FullName);
        SchemaValidator.Validate(yaml).ExitCode.Should().Be(0);
        var r = new Rendered(Kustomize.Parse(yaml));
        r.SiloContainer.Image.Should().Be($"gridacrabc123.azurecr.io/grid:{tag}");
        var reference = r.Env["Grid__AzureStorage__TableEndpoint"].ValueFrom.ConfigMapKeyRef;
        r.One<k8s.Models.V1ConfigMap>(reference.Name).Data[reference.Key].Should().Be("https://gridstabc123.table.core.windows.net");
        r.One<k8s.Models.V1ServiceAccount>("grid-silo").Metadata.Annotations["azure.workload.identity/client-id"]
            .Should().Be("11111111-2222-3333-4444-555555555555");
        r.Objects.OfType<k8s.Models.V1ConfigMap>().Should().ContainSingle("the generated map replaces the base's placeholder");
    }

    [Theory]
    [InlineData("tpu", "gridacr.azurecr.io", "https://a.table.core.windows.net", "11111111-2222-3333-4444-555555555555", "flavor")]
    [InlineData("gpu", "gridacr.azurecr.io", "a.table.core.windows.net", "11111111-2222-3333-4444-555555555555", "TABLE_ENDPOINT")]
    [InlineData("gpu", "gridacr.azurecr.io", "https://a.table.core.windows.net", "not-a-guid", "CLIENT_ID")]
    [InlineData("gpu", "https://gridacr.azurecr.io", "https://a.table.core.windows.net", "11111111-2222-3333-4444-555555555555", "ACR_LOGIN_SERVER")]
    public void Bad_input_is_refused_naming_the_argument(string flavor, string registry, string endpoint, string client, string named)
    {
        var result = Configure(flavor, registry, endpoint, client, _dir.FullName);
        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain(named);
        File.Exists(Path.Combine(_dir.FullName, "kustomization.yaml")).Should().BeFalse();
    }

    [Fact]
    public void With_a_model_the_silos_mount_the_share_read_only_and_serve_the_file()
    {
        var result = ConfigureWithModel("llama-3-8b.Q8_0.gguf", "gpu", "gridacr.azurecr.io", "https://a.table.core.windows.net", "11111111-2222-3333-4444-555555555555", _dir.FullName);
        result.ExitCode.Should().Be(0, result.Describe());
        var yaml = Kustomize.Render(_dir.FullName);
        var schema = SchemaValidator.Validate(yaml);
        schema.ExitCode.Should().Be(0, schema.Describe());
        var r = new Rendered(Kustomize.Parse(yaml));
        r.EnvValue("Grid__Model").Should().Be("/models/llama-3-8b.Q8_0.gguf");
        r.SiloContainer.VolumeMounts.Should().ContainSingle(m => m.MountPath == "/models" && m.ReadOnlyProperty == true);
        var claim = r.Silo.Spec.Template.Spec.Volumes.Single(v => v.Name == "models").PersistentVolumeClaim.ClaimName;
        r.One<k8s.Models.V1PersistentVolumeClaim>(claim).Spec.AccessModes.Should().Equal("ReadWriteMany");
        // The upload pod writes to the same claim, in the same namespace.
        var upload = Repo.Read("deploy", "k8s", "model-upload", "pod.yaml");
        SchemaValidator.Validate(upload).ExitCode.Should().Be(0);
        var pod = Kustomize.Parse(upload).OfType<k8s.Models.V1Pod>().Single();
        pod.Spec.Volumes.Single().PersistentVolumeClaim.ClaimName.Should().Be(claim);
        pod.Metadata.NamespaceProperty.Should().Be(r.Silo.Metadata.NamespaceProperty);
    }

    [Fact]
    public void A_model_name_with_a_path_is_refused()
    {
        var result = ConfigureWithModel("../etc/passwd", "gpu", "gridacr.azurecr.io", "https://a.table.core.windows.net", "11111111-2222-3333-4444-555555555555", _dir.FullName);
        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("MODEL");
    }
}
