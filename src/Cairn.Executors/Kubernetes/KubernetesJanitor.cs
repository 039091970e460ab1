using Cairn.Core.Runs;
using k8s;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>What one sweep removed: "namespace/name" of pods and Secrets.</summary>
public sealed record KubernetesSweep(IReadOnlyList<string> Pods, IReadOnlyList<string> Secrets);

/// <summary>Removes the pods and Secrets an owner made for leases that no longer live (a worker that died mid-job, a
/// job the server reaped): those labelled <c>cairn.owner=OWNER</c> with a <c>cairn.lease</c> label that the
/// <see cref="ILeaseLiveness"/> does not call live, and that this process is not running now.</summary>
public sealed class KubernetesJanitor(
    IKubernetes client,
    string owner,
    ILeaseLiveness leases,
    Func<IReadOnlyCollection<string>> running,
    KubernetesExecutorOptions options)
{
    /// <summary>One sweep of <paramref name="namespaces"/>.</summary>
    public async Task<KubernetesSweep> SweepAsync(IReadOnlyCollection<string> namespaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        var selector = $"cairn.owner={owner},cairn.lease";
        var pods = new List<V1ObjectMeta>();
        var secrets = new List<V1ObjectMeta>();
        foreach (var ns in namespaces.Distinct(StringComparer.Ordinal))
        {
            var podList = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken);
            pods.AddRange((podList.Items ?? []).Select(p => p.Metadata));
            var secretList = await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: cancellationToken);
            secrets.AddRange((secretList.Items ?? []).Select(s => s.Metadata));
        }

        var ids = pods.Concat(secrets).Select(Lease).OfType<Guid>().Distinct().ToList();
        var alive = ids.Count == 0 ? new HashSet<Guid>() : await leases.LiveAsync(ids, cancellationToken);
        var now = running().ToHashSet(StringComparer.Ordinal);
        bool Dead(V1ObjectMeta m) => Lease(m) is { } id && !alive.Contains(id) && !now.Contains(m.NamespaceProperty + "/" + m.Name);

        var removedPods = new List<string>();
        foreach (var pod in pods.Where(Dead))
        {
            if (await DeleteAsync(() => client.CoreV1.DeleteNamespacedPodAsync(pod.Name, pod.NamespaceProperty,
                    new V1DeleteOptions { GracePeriodSeconds = (long)options.StopGrace.TotalSeconds }, cancellationToken: cancellationToken)))
            {
                removedPods.Add(pod.NamespaceProperty + "/" + pod.Name);
            }
        }

        var removedSecrets = new List<string>();
        foreach (var secret in secrets.Where(Dead))
        {
            if (await DeleteAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(secret.Name, secret.NamespaceProperty, cancellationToken: cancellationToken)))
            {
                removedSecrets.Add(secret.NamespaceProperty + "/" + secret.Name);
            }
        }

        return new KubernetesSweep(removedPods, removedSecrets);
    }

    private static Guid? Lease(V1ObjectMeta meta) =>
        meta.Labels is { } labels && labels.TryGetValue("cairn.lease", out var value) && Guid.TryParse(value, out var id) ? id : null;

    private static async Task<bool> DeleteAsync(Func<Task> delete)
    {
        try
        {
            await delete();
            return true;
        }
        catch (k8s.Autorest.HttpOperationException error) when (error.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
