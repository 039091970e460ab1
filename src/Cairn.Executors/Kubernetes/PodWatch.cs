using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>Follows one pod's state: a list, then a watch from the list's resourceVersion, resumed from the last version
/// seen when the stream drops and listed again when the API says that version is gone (410). Every version read is
/// written to <see cref="Versions"/>; a deleted pod is written as null.</summary>
internal sealed class PodWatch(IKubernetes client, string name, string ns, TimeProvider time) : ApiFollower
{
    private readonly Channel<V1Pod?> _versions = Channel.CreateUnbounded<V1Pod?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The pod's versions as they come; null when it was deleted.</summary>
    public ChannelReader<V1Pod?> Versions => _versions.Reader;

    protected override async Task FollowAsync(CancellationToken cancellationToken)
    {
        string? version = null;
        var selector = "metadata.name=" + name;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (version is null)
                {
                    var list = await client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: selector, cancellationToken: cancellationToken);
                    version = list.Metadata?.ResourceVersion;
                    var pod = list.Items?.FirstOrDefault();
                    await _versions.Writer.WriteAsync(pod, cancellationToken);
                    if (pod is null)
                    {
                        return;
                    }
                }

                var gone = false;
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, fieldSelector: selector,
                    resourceVersion: version, allowWatchBookmarks: true,
                    onError: error => gone |= error is k8s.KubernetesException { Status.Code: 410 }, cancellationToken: cancellationToken))
                {
                    if (type == WatchEventType.Error)
                    {
                        version = null;
                        break;
                    }

                    version = pod.Metadata?.ResourceVersion ?? version;
                    if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        await _versions.Writer.WriteAsync(pod, cancellationToken);
                    }
                    else if (type == WatchEventType.Deleted)
                    {
                        await _versions.Writer.WriteAsync(null, cancellationToken);
                        return;
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
            catch (HttpOperationException error) when (error.Response?.StatusCode == HttpStatusCode.Gone)
            {
                version = null;
            }
            catch (Exception error) when (error is HttpOperationException or HttpRequestException or IOException or k8s.KubernetesException
                or OperationCanceledException or ObjectDisposedException or InvalidOperationException or System.Text.Json.JsonException)
            {
                // The stream dropped or the API stumbled: resume from the last version seen after a breath.
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
}
