using System.Net;
using Grid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace Grid.Silo.Tests;

/// <summary>Grid:Kubernetes: Orleans' Kubernetes hosting, checked as far as a machine outside a cluster allows.</summary>
public sealed class KubernetesHostingTests
{
    private static readonly GridClusterOptions InPod = new() { Kubernetes = true, Redis = "127.0.0.1:6379", AdvertisedAddress = "10.244.1.7", ClusterId = "gpu" };

    private static readonly Dictionary<string, string> PodEnvironment = new()
    {
        ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1",
        ["KUBERNETES_SERVICE_PORT"] = "443",
        ["POD_NAMESPACE"] = "grid",
        ["POD_NAME"] = "grid-silo-0",
    };

    [Fact]
    public void Outside_a_cluster_the_host_stops_naming_grid_kubernetes()
    {
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST").Should().BeNull("this test runs outside Kubernetes");
        var act = () => SiloHost.Build(["--kubernetes", "true", "--redis", "127.0.0.1:6379", "--advertise", "10.244.1.7"], TextWriter.Null);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("Grid:Kubernetes is true but this process is not in a Kubernetes pod")
            && e.Message.Contains("KUBERNETES_SERVICE_HOST"));
    }

    [Fact]
    public void In_a_pod_with_a_token_and_a_namespace_nothing_is_missing() =>
        KubernetesHosting.Problems(InPod, v => PodEnvironment.GetValueOrDefault(v), _ => true).Should().BeEmpty();

    [Fact]
    public void A_pod_without_a_namespace_or_token_is_told_what_to_set()
    {
        var env = new Dictionary<string, string>(PodEnvironment);
        env.Remove("POD_NAMESPACE");
        KubernetesHosting.Problems(InPod, v => env.GetValueOrDefault(v), _ => false).Should().SatisfyRespectively(
            m => m.Should().Contain("Grid:Kubernetes").And.Contain("service account token"),
            m => m.Should().Contain("Grid:Kubernetes").And.Contain("POD_NAMESPACE"));
    }

    [Theory]
    [InlineData("ORLEANS_CLUSTER_ID", "other", "Grid:ClusterId")]
    [InlineData("ORLEANS_SERVICE_ID", "other", "Grid:ServiceId")]
    public void Orleans_ids_from_the_environment_must_agree_with_ours(string variable, string value, string named)
    {
        var env = new Dictionary<string, string>(PodEnvironment) { [variable] = value };
        KubernetesHosting.Problems(InPod, v => env.GetValueOrDefault(v), _ => true).Should().ContainSingle().Which.Should().Contain(named);
        env[variable] = variable.Contains("CLUSTER") ? InPod.ClusterId : InPod.ServiceId;
        KubernetesHosting.Problems(InPod, v => env.GetValueOrDefault(v), _ => true).Should().BeEmpty();
    }

    [Fact]
    public void Without_grid_kubernetes_no_kubernetes_hosting_is_added()
    {
        using var host = Composed(InPod with { Kubernetes = false });
        host.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>().Should().BeEmpty();
    }

    /// <summary>Kubernetes hosting may set the ids and the advertised address: ours (configured after it, and set) hold.</summary>
    [Fact]
    public void With_grid_kubernetes_our_cluster_ids_and_advertised_address_hold()
    {
        using var host = Composed(InPod);
        host.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>().Should().NotBeEmpty();
        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        cluster.ClusterId.Should().Be("gpu");
        cluster.ServiceId.Should().Be("grid");
        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        endpoints.AdvertisedIPAddress.Should().Be(IPAddress.Parse("10.244.1.7"));
        endpoints.SiloListeningEndpoint!.Address.Should().Be(IPAddress.Any);
        // Outside a pod Orleans' own check is what stops the silo, without naming our setting: hence KubernetesHosting.Problems.
        var siloName = () => host.Services.GetRequiredService<IOptions<SiloOptions>>().Value;
        siloName.Should().Throw<OptionsValidationException>().WithMessage("*POD_NAMESPACE*");
    }

    /// <summary>A silo host built (not started) the way SiloHost builds its cluster part.</summary>
    private static IHost Composed(GridClusterOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => ClusteringSetup.Apply(silo, options, 11111, 30000));
        return builder.Build();
    }
}
