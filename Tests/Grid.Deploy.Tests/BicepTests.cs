using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Grid.Deploy.Tests;

/// <summary>deploy/azure/main.bicep compiles to ARM JSON with the Bicep CLI from NuGet, and holds what the manifests rely on.</summary>
public sealed class BicepTests(ITestOutputHelper output)
{
    private static readonly string Template = Repo.Path("deploy", "azure", "main.bicep");
    private static readonly Lazy<BicepResult> Compiled = new(() => Bicep.Build(Template));

    private JsonNode Arm()
    {
        var result = Compiled.Value;
        Report(result);
        result.Run.ExitCode.Should().Be(0, result.Run.Describe());
        return JsonNode.Parse(result.Json)!;
    }

    private void Report(BicepResult result)
    {
        output.WriteLine($"bicep {Bicep.Version}: {result.Errors.Count} errors, {result.Warnings.Count} warnings");
        foreach (var line in result.Errors.Concat(result.Warnings)) output.WriteLine(line);
    }

    private static IEnumerable<JsonNode> Resources(JsonNode arm, string type)
    {
        // Bicep 0.49 writes resources as an object keyed by symbolic name (languageVersion 2.0) or as an array.
        var resources = arm["resources"]!;
        var all = resources is JsonArray array ? array.Select(r => r!) : resources.AsObject().Select(p => p.Value!);
        return all.Where(r => (string?)r["type"] == type);
    }

    [Fact]
    public void Main_bicep_compiles_with_no_errors_and_no_warnings()
    {
        var result = Compiled.Value;
        Report(result);
        result.Run.ExitCode.Should().Be(0, result.Run.Describe());
        result.Errors.Should().BeEmpty();
        // Zero reached, so any warning (an API version without types, a linter rule) is a regression.
        result.Warnings.Should().BeEmpty();
        JsonNode.Parse(result.Json)!["$schema"]!.GetValue<string>().Should().Contain("deploymentTemplate.json");
    }

    [Fact]
    public void Parameters_file_compiles_against_the_template()
    {
        var result = Bicep.Build(Repo.Path("deploy", "azure", "main.bicepparam"));
        Report(result);
        result.Run.ExitCode.Should().Be(0, result.Run.Describe());
        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var parameters = JsonNode.Parse(JsonNode.Parse(result.Json)!["parametersJson"]!.GetValue<string>())!["parameters"]!;
        parameters["siloNamespace"]!["value"]!.GetValue<string>().Should().Be("grid");
    }

    [Fact]
    public void A_broken_template_fails_and_an_unknown_api_version_warns()
    {
        // The checks above mean something only if the compiler's verdicts reach them: break a copy both ways.
        var dir = Directory.CreateTempSubdirectory("grid-bicep-");
        try
        {
            var text = File.ReadAllText(Template);
            var broken = Path.Combine(dir.FullName, "broken.bicep");
            File.WriteAllText(broken, text.Replace("param systemNodeCount int = 2", "param systemNodeCount int = 'two'"));
            var failed = Bicep.Build(broken);
            failed.Run.ExitCode.Should().NotBe(0);
            failed.Errors.Should().NotBeEmpty();

            var unknown = Path.Combine(dir.FullName, "unknown.bicep");
            File.WriteAllText(unknown, text.Replace("managedClusters@2025-05-01", "managedClusters@2099-01-01"));
            var warned = Bicep.Build(unknown);
            warned.Run.ExitCode.Should().Be(0, warned.Run.Describe());
            warned.Warnings.Should().ContainSingle(w => w.Contains("BCP081"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Aks_has_a_system_pool_and_a_tainted_autoscaled_gpu_pool_with_workload_identity_and_monitoring()
    {
        var arm = Arm();
        var aks = Resources(arm, "Microsoft.ContainerService/managedClusters").Should().ContainSingle().Subject;
        var pools = aks["properties"]!["agentPoolProfiles"]!.AsArray();
        pools.Select(p => (string?)p!["mode"]).Should().BeEquivalentTo(["System", "User"]);
        var gpu = pools.Single(p => (string?)p!["mode"] == "User")!;
        // The overlay selects agentpool=gpu and tolerates sku=gpu:NoSchedule: pool name and taint must agree with it.
        ((string?)gpu["name"]).Should().Be("gpu");
        gpu["nodeTaints"]!.AsArray().Select(t => (string?)t).Should().Equal("sku=gpu:NoSchedule");
        ((bool?)gpu["enableAutoScaling"]).Should().BeTrue();
        var properties = aks["properties"]!;
        ((bool?)properties["oidcIssuerProfile"]!["enabled"]).Should().BeTrue();
        ((bool?)properties["securityProfile"]!["workloadIdentity"]!["enabled"]).Should().BeTrue();
        ((bool?)properties["addonProfiles"]!["omsagent"]!["enabled"]).Should().BeTrue();
        // Managed-identity auth for Container insights sends only through a data collection rule tied to the cluster.
        Resources(arm, "Microsoft.Insights/dataCollectionRules").Should().ContainSingle();
        Resources(arm, "Microsoft.Insights/dataCollectionRuleAssociations").Should().ContainSingle();
    }

    [Fact]
    public void Storage_takes_identities_only_and_the_silo_identity_gets_table_data_and_the_kubelet_acr_pull()
    {
        var arm = Arm();
        var storage = Resources(arm, "Microsoft.Storage/storageAccounts").Should().ContainSingle().Subject;
        ((bool?)storage["properties"]!["allowSharedKeyAccess"]).Should().BeFalse();
        Resources(arm, "Microsoft.Storage/storageAccounts/tableServices/tables").Should().ContainSingle()
            .Which["copy"].Should().NotBeNull("both tables come from one loop");
        var roles = Resources(arm, "Microsoft.Authorization/roleAssignments")
            .Select(r => r["properties"]!["roleDefinitionId"]!.GetValue<string>()).ToList();
        roles.Should().HaveCount(2);
        roles.Should().Contain(r => r.Contains("storageTableDataContributor") || r.Contains("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"));
        roles.Should().Contain(r => r.Contains("acrPull") || r.Contains("7f951dda-4ed3-4680-a7ca-43fe172d538d"));
        arm["variables"]!["storageTableDataContributor"]!.GetValue<string>().Should().Be("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3");
        arm["variables"]!["acrPull"]!.GetValue<string>().Should().Be("7f951dda-4ed3-4680-a7ca-43fe172d538d");
    }

    [Fact]
    public void Federated_credential_trusts_the_service_account_the_manifests_run_the_silos_as()
    {
        var arm = Arm();
        var credential = Resources(arm, "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials").Should().ContainSingle().Subject;
        credential["properties"]!["subject"]!.GetValue<string>().Should().Contain("system:serviceaccount:");
        credential["properties"]!["audiences"]!.AsArray().Select(a => (string?)a).Should().Equal("api://AzureADTokenExchange");
        var parameters = arm["parameters"]!;
        var rendered = Kustomize.Load("deploy/k8s/overlays/gpu");
        var account = rendered.Silo.Spec.Template.Spec.ServiceAccountName;
        parameters["siloServiceAccount"]!["defaultValue"]!.GetValue<string>().Should().Be(account);
        parameters["siloNamespace"]!["defaultValue"]!.GetValue<string>().Should().Be(rendered.Silo.Metadata.NamespaceProperty);
    }

    [Fact]
    public void Outputs_are_what_configure_sh_and_the_guide_need()
    {
        var outputs = Arm()["outputs"]!.AsObject();
        outputs.Select(o => o.Key).Should().Contain(["tableEndpoint", "acrLoginServer", "identityClientId", "aksName", "acrName"]);
        var guide = Repo.Read("deploy", "README.md");
        foreach (var name in new[] { "tableEndpoint", "acrLoginServer", "identityClientId", "aksName", "acrName" })
            guide.Should().Contain(name, $"the guide reads the output {name}");
    }
}
