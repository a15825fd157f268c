using Orleans.Hosting.Kubernetes;

namespace Grid.Silo.Hosting;

/// <summary>
/// Grid:Kubernetes: <c>silo.UseKubernetesHosting()</c> (Microsoft.Orleans.Hosting.Kubernetes 10.4.2).
/// <para>What it reads: POD_NAME (the silo name; else the host name, which is the pod name unless the spec sets
/// hostname), POD_NAMESPACE (else the service account's namespace file), POD_IP (only where no advertised address
/// is configured: ours always is, from Grid:AdvertisedAddress, so manifests set Grid__AdvertisedAddress from
/// status.podIP), ORLEANS_CLUSTER_ID and ORLEANS_SERVICE_ID (when set, they replace ClusterOptions' ids), and the
/// in-cluster API configuration: KUBERNETES_SERVICE_HOST/PORT and the service account token under
/// /var/run/secrets/kubernetes.io/serviceaccount.</para>
/// <para>What it overrides: SiloOptions.SiloName (the pod name), ClusterOptions' ids (from the two variables; ours
/// are configured after it, and <see cref="Problems"/> refuses variables that disagree with Grid:ClusterId or
/// Grid:ServiceId), and only the endpoint settings left unset (advertised address, listen on any address): ours are set.</para>
/// <para>What it does: at start it reads its own pod and patches the labels orleans/clusterId and orleans/serviceId
/// to the cluster's ids (no patch when the manifest already sets them), lists the pods with those labels and declares
/// silos without a pod dead; up to two silos then watch the pods and declare a deleted pod's silo dead at once,
/// rather than after the probes time out. RBAC: pods get, list, watch, patch in the pod's namespace (delete only
/// where KubernetesHostingOptions.DeleteDefunctSiloPods is turned on, which the grid leaves off).</para>
/// </summary>
public static class KubernetesHosting
{
    private const string Setting = $"{GridOptions.Section}:Kubernetes";
    private const string ServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static void Apply(ISiloBuilder silo) => silo.UseKubernetesHosting();

    /// <summary>Why this process cannot use Kubernetes hosting (not in a pod, ids that disagree); empty when it can.</summary>
    public static IEnumerable<string> Problems(GridClusterOptions options, Func<string, string?> env, Func<string, bool> fileExists)
    {
        if (string.IsNullOrEmpty(env("KUBERNETES_SERVICE_HOST")) || string.IsNullOrEmpty(env("KUBERNETES_SERVICE_PORT")))
            yield return $"{Setting} is true but this process is not in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT " +
                "are not set (the kubelet sets them in every pod); leave Grid:Kubernetes off outside a cluster";
        else if (!fileExists($"{ServiceAccount}/token"))
            yield return $"{Setting} is true but the pod has no service account token ({ServiceAccount}/token): set automountServiceAccountToken";
        if (string.IsNullOrEmpty(env(KubernetesHostingOptions.PodNamespaceEnvironmentVariable)) && !fileExists($"{ServiceAccount}/namespace"))
            yield return $"{Setting} is true but the pod's namespace is unknown: set {KubernetesHostingOptions.PodNamespaceEnvironmentVariable} from the downward API (metadata.namespace)";
        foreach (var (variable, key, value) in new[]
        {
            (KubernetesHostingOptions.ClusterIdEnvironmentVariable, "ClusterId", options.ClusterId),
            (KubernetesHostingOptions.ServiceIdEnvironmentVariable, "ServiceId", options.ServiceId),
        })
            if (env(variable) is { Length: > 0 } set && set != value)
                yield return $"{Setting}: {variable} is '{set}' but {GridOptions.Section}:{key} is '{value}': set the one, {GridOptions.Section}__{key}";
    }
}
