using k8s.Models;

namespace Grid.Deploy.Tests;

/// <summary>What the rendered silo Deployment and its companions must hold for the grid to run, drain and scale on AKS.</summary>
public sealed class SiloManifestTests
{
    private static readonly Lazy<Rendered> Cpu = new(() => Kustomize.Load("deploy/k8s/overlays/cpu"));
    private static readonly Lazy<Rendered> Gpu = new(() => Kustomize.Load("deploy/k8s/overlays/gpu"));

    public static TheoryData<string> Overlays => new() { "cpu", "gpu" };

    private static Rendered Of(string overlay) => overlay == "gpu" ? Gpu.Value : Cpu.Value;

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_Grid_variable_names_a_real_silo_setting(string overlay)
    {
        SettingNames.Roots.Select(t => t.Name).Should().Contain(["GridOptions", "GridClusterOptions", "GridDeviceOptions"]);
        var unknown = Of(overlay).Env.Keys.Where(k => k.StartsWith("Grid__", StringComparison.Ordinal) && !SettingNames.Exists(k)).ToList();
        unknown.Should().BeEmpty("each Grid__* variable must bind to a property of the silo's options records ({0}); unknown: {1}",
            string.Join(", ", SettingNames.Roots.Select(t => t.Name)), string.Join(", ", unknown));
        // And the test can tell: a misspelt key is not a setting.
        SettingNames.Exists("Grid__AdvertisedAdress").Should().BeFalse();
        SettingNames.Exists("Grid__AdvertisedAddress").Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Silos_cluster_through_azure_tables_with_kubernetes_hosting_and_pod_identity(string overlay)
    {
        var r = Of(overlay);
        r.EnvValue("Grid__Clustering").Should().Be("AzureStorage");
        r.EnvValue("Grid__Kubernetes").Should().Be("true");
        r.EnvValue("ASPNETCORE_URLS").Should().Be("http://+:8080");
        var endpoint = r.Env["Grid__AzureStorage__TableEndpoint"].ValueFrom.ConfigMapKeyRef;
        var map = r.One<V1ConfigMap>(endpoint.Name);
        map.Data.Should().ContainKey(endpoint.Key);
        // The downward API: the silo's name and address are the pod's.
        FieldOf(r, "POD_NAME").Should().Be("metadata.name");
        FieldOf(r, "POD_NAMESPACE").Should().Be("metadata.namespace");
        FieldOf(r, "POD_IP").Should().Be("status.podIP");
        FieldOf(r, "Grid__AdvertisedAddress").Should().Be("status.podIP");
        FieldOf(r, "Grid__NodeName").Should().Be("metadata.name");
        // Orleans' Kubernetes hosting and the silo's own ids come from the same two pod labels.
        var labels = r.Silo.Spec.Template.Metadata.Labels;
        foreach (var (variable, label) in new[] { ("ORLEANS_SERVICE_ID", "orleans/serviceId"), ("ORLEANS_CLUSTER_ID", "orleans/clusterId"),
                     ("Grid__ServiceId", "orleans/serviceId"), ("Grid__ClusterId", "orleans/clusterId") })
        {
            FieldOf(r, variable).Should().Be($"metadata.labels['{label}']");
            labels.Should().ContainKey(label);
        }
        labels["azure.workload.identity/use"].Should().Be("true");
        var account = r.One<V1ServiceAccount>(r.Silo.Spec.Template.Spec.ServiceAccountName);
        account.Metadata.Annotations.Should().ContainKey("azure.workload.identity/client-id");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_hit_the_real_health_endpoints_on_the_http_port(string overlay)
    {
        var c = Of(overlay).SiloContainer;
        c.Ports.Should().ContainSingle(p => p.Name == "http").Which.ContainerPort.Should().Be(8080);
        c.Ports.Select(p => p.ContainerPort).Should().BeEquivalentTo([8080, 11111, 30000]);
        c.ReadinessProbe.HttpGet.Path.Should().Be("/health/ready");
        c.LivenessProbe.HttpGet.Path.Should().Be("/health/live");
        c.StartupProbe.HttpGet.Path.Should().Be("/health/live");
        foreach (var probe in new[] { c.ReadinessProbe, c.LivenessProbe, c.StartupProbe })
            probe.HttpGet.Port.Value.Should().Be("http");
        // The startup probe gives the model load minutes, not the liveness probe's seconds.
        (c.StartupProbe.PeriodSeconds!.Value * c.StartupProbe.FailureThreshold!.Value).Should().BeGreaterThanOrEqualTo(300);
        // The endpoints exist in the silo: the host maps them (Grid.Api's health routes).
        HealthRoutes().Should().Contain(["/health/ready", "/health/live"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Termination_grace_covers_the_prestop_sleep_and_the_drain(string overlay)
    {
        var r = Of(overlay);
        var drain = TimeSpan.Parse(r.EnvValue("Grid__DrainGracePeriod"), System.Globalization.CultureInfo.InvariantCulture);
        var grace = r.Silo.Spec.Template.Spec.TerminationGracePeriodSeconds!.Value;
        r.SiloContainer.Lifecycle.PreStop.Exec.Command.Should().Equal("sleep", "5");
        // The period starts with preStop; after SIGTERM the host's shutdown timeout is the drain grace + 30 s.
        grace.Should().BeGreaterThanOrEqualTo((long)drain.TotalSeconds + 30 + 5);
        if (overlay == "gpu") drain.Should().BeGreaterThan(TimeSpan.FromSeconds(30), "GPU generations run longer than the CPU overlay's");
    }

    [Fact]
    public void Gpu_overlay_asks_for_one_gpu_on_the_tainted_gpu_pool_and_runs_cuda()
    {
        var r = Gpu.Value;
        r.SiloContainer.Resources.Limits.Should().ContainKey("nvidia.com/gpu").WhoseValue.ToString().Should().Be("1");
        r.EnvValue("Grid__Backend").Should().Be("Cuda");
        r.EnvValue("Grid__Devices").Should().Be("1");
        r.SiloContainer.Image.Should().EndWith(":cuda");
        var pod = r.Silo.Spec.Template.Spec;
        pod.NodeSelector.Should().Contain("agentpool", "gpu");
        pod.Tolerations.Should().Contain(t => t.Key == "sku" && t.OperatorProperty == "Equal" && t.Value == "gpu" && t.Effect == "NoSchedule");
    }

    [Fact]
    public void Cpu_overlay_runs_the_cpu_backend_with_requests_and_no_gpu()
    {
        var r = Cpu.Value;
        r.EnvValue("Grid__Backend").Should().Be("Cpu");
        r.SiloContainer.Image.Should().EndWith(":cpu");
        r.SiloContainer.Resources.Requests.Should().ContainKeys("cpu", "memory");
        (r.SiloContainer.Resources.Limits ?? new Dictionary<string, ResourceQuantity>()).Should().NotContainKey("nvidia.com/gpu");
        r.Silo.Spec.Template.Spec.Tolerations.Should().BeNullOrEmpty();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Runs_as_the_images_non_root_user(string overlay)
    {
        var r = Of(overlay);
        var pod = r.Silo.Spec.Template.Spec.SecurityContext;
        pod.RunAsNonRoot.Should().BeTrue();
        var image = Dockerfile.Load(overlay == "gpu" ? "Dockerfile.cuda" : "Dockerfile.cpu");
        pod.RunAsUser.Should().Be(long.Parse(image.FinalUser, System.Globalization.CultureInfo.InvariantCulture));
        r.SiloContainer.SecurityContext.AllowPrivilegeEscalation.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Rbac_lets_kubernetes_hosting_watch_and_label_the_silo_pods(string overlay)
    {
        var r = Of(overlay);
        var role = r.One<V1Role>("grid-silo");
        var pods = role.Rules.Should().ContainSingle(rule => rule.Resources.Contains("pods")).Subject;
        pods.ApiGroups.Should().Equal("");
        pods.Verbs.Should().Contain(["get", "list", "watch", "patch"]);
        var binding = r.One<V1RoleBinding>("grid-silo");
        binding.RoleRef.Name.Should().Be(role.Metadata.Name);
        binding.Subjects.Should().ContainSingle(s => s.Kind == "ServiceAccount" && s.Name == r.Silo.Spec.Template.Spec.ServiceAccountName);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Service_pdb_and_autoscaler_point_at_the_silos(string overlay)
    {
        var r = Of(overlay);
        var labels = r.Silo.Spec.Template.Metadata.Labels;
        r.Silo.Spec.Selector.MatchLabels.Should().BeSubsetOf(labels);
        var service = r.One<V1Service>("grid");
        service.Spec.Selector.Should().BeSubsetOf(labels);
        service.Spec.Ports.Should().ContainSingle(p => p.Port == 80 && p.TargetPort.Value == "http");
        var pdb = r.One<V1PodDisruptionBudget>("grid-silo");
        pdb.Spec.MaxUnavailable.Value.Should().Be("1");
        pdb.Spec.Selector.MatchLabels.Should().BeSubsetOf(labels);
        var hpa = r.One<V2HorizontalPodAutoscaler>("grid-silo");
        hpa.Spec.ScaleTargetRef.Kind.Should().Be("Deployment");
        hpa.Spec.ScaleTargetRef.Name.Should().Be(r.Silo.Metadata.Name);
        var metric = hpa.Spec.Metrics.Should().ContainSingle().Subject;
        metric.Type.Should().Be("Pods");
        metric.Pods.Metric.Name.Should().Be("vllm_num_requests_waiting");
        metric.Pods.Target.Type.Should().Be("AverageValue");
        // Scale-in drains a silo: slowly, after the queue stayed short.
        hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds.Should().BeGreaterThanOrEqualTo(300);
        hpa.Spec.Behavior.ScaleDown.Policies.Should().OnlyContain(p => p.Type == "Pods" && p.Value == 1);
        hpa.Spec.MinReplicas.Should().BeGreaterThanOrEqualTo(2, "one silo draining must leave one serving");
        r.Silo.Spec.Replicas.Should().BeNull("the autoscaler owns the replica count");
    }

    [Fact]
    public void The_autoscaler_metric_is_one_the_silo_exports_and_the_adapter_rule_publishes()
    {
        // The silo's meter names it vllm.num_requests_waiting; Prometheus' exporter writes vllm_num_requests_waiting.
        Repo.Read("Grains", "Grid.Grains", "GridMetrics.cs").Should().Contain("\"vllm.num_requests_waiting\"");
        var values = new YamlDotNet.Serialization.Deserializer().Deserialize<Dictionary<string, object>>(Repo.Read("deploy", "k8s", "prometheus-adapter", "values.yaml"));
        var rule = (Dictionary<object, object>)((List<object>)((Dictionary<object, object>)values["rules"])["custom"]).Single();
        ((string)rule["seriesQuery"]).Should().StartWith("vllm_num_requests_waiting{");
        ((string)((Dictionary<object, object>)rule["name"])["as"]).Should().Be(Gpu.Value.One<V2HorizontalPodAutoscaler>("grid-silo").Spec.Metrics[0].Pods.Metric.Name);
    }

    private static string FieldOf(Rendered r, string variable)
    {
        r.Env.Should().ContainKey(variable);
        return r.Env[variable].ValueFrom.FieldRef.FieldPath;
    }

    private static IEnumerable<string> HealthRoutes() =>
        Directory.EnumerateFiles(Repo.Path("Silo"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), "\"(/health/[a-z]+)\"").Select(m => m.Groups[1].Value))
            .Distinct();
}
