using k8s;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>Says each of a pod's events (Scheduled, Pulling, FailedScheduling, Killing…) as a system line
/// <c>kubernetes: REASON: MESSAGE</c> as it happens: a list, then a watch resumed from the last version seen, listed
/// again when that version is gone. An event the API updates (its count grows) is said again.</summary>
internal sealed class PodEvents(IKubernetes client, PodIdentity pod, Action<string> system, TimeProvider time) : ApiFollower
{
    private readonly HashSet<string> _said = new(StringComparer.Ordinal);

    protected override async Task FollowAsync(CancellationToken cancellationToken)
    {
        var selector = "involvedObject.name=" + pod.Name;
        string? version = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (version is null)
                {
                    var list = await client.CoreV1.ListNamespacedEventAsync(pod.Namespace, fieldSelector: selector, cancellationToken: cancellationToken);
                    foreach (var item in (list.Items ?? []).OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata?.CreationTimestamp))
                    {
                        Say(item);
                    }

                    version = list.Metadata?.ResourceVersion;
                }

                var gone = false;
                await foreach (var (type, item) in client.CoreV1.WatchListNamespacedEventAsync(pod.Namespace, fieldSelector: selector,
                    resourceVersion: version, onError: error => gone |= error is k8s.KubernetesException { Status.Code: 410 },
                    cancellationToken: cancellationToken))
                {
                    version = item.Metadata?.ResourceVersion ?? version;
                    if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        Say(item);
                    }
                }

                if (gone)
                {
                    version = null;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is k8s.Autorest.HttpOperationException or HttpRequestException or IOException
                or k8s.KubernetesException or OperationCanceledException or ObjectDisposedException or InvalidOperationException
                or System.Text.Json.JsonException)
            {
                version = error is k8s.Autorest.HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.Gone } ? null : version;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Say(Corev1Event item)
    {
        var key = $"{item.Metadata?.Uid ?? item.Metadata?.Name}:{item.Count ?? 1}";
        if (_said.Add(key))
        {
            system($"kubernetes: {item.Reason}: {item.Message}");
        }
    }
}
