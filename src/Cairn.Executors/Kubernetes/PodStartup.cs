using Cairn.Core.Pipelines;
using Cairn.Core.Execution;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using k8s;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>Waits until a job's pod has its <c>job</c> container running (or already ended), saying meanwhile why it
/// waits — no node fits, an image does not pull — and failing the job as <c>infra</c> when that lasts past the runner
/// alias's scheduling or image-pull timeout, or at once when waiting cannot help (a bad image name, a broken container
/// config, a source fetch that failed).</summary>
internal sealed class PodStartup(IKubernetes client, PodIdentity pod, KubernetesRunnerOptions settings, IJobReporter reporter,
    Action<string> system, TimeProvider time)
{
    private DateTimeOffset? _unschedulableSince;
    private DateTimeOffset? _pullFailingSince;
    private string? _reason;

    /// <summary>Ready once the job container runs; a failed setup otherwise.</summary>
    public async Task<JobSetup> WaitAsync(CancellationToken cancellationToken)
    {
        await using var watch = new PodWatch(client, pod.Name, pod.Namespace, time);
        watch.Start();
        V1Pod? latest = null;
        while (true)
        {
            if (latest is not null && await VerdictAsync(latest, cancellationToken) is { } verdict)
            {
                Wait(null);
                return verdict;
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (NextDeadline() is { } at)
            {
                deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(0, (at - time.GetUtcNow()).Ticks)) + TimeSpan.FromMilliseconds(50));
            }

            try
            {
                if (!await watch.Versions.WaitToReadAsync(deadline.Token))
                {
                    return JobSetup.Failed(FailureClass.Infra, "the job's pod could no longer be followed");
                }

                while (watch.Versions.TryRead(out var version))
                {
                    if (version is null)
                    {
                        return JobSetup.Failed(FailureClass.Infra, "the job's pod was deleted before its steps could start");
                    }

                    latest = version;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A timeout is due: the loop looks at the last version again.
            }
        }
    }

    private DateTimeOffset? NextDeadline()
    {
        DateTimeOffset? next = null;
        if (_unschedulableSince is { } since)
        {
            next = since + settings.SchedulingTimeout;
        }

        if (_pullFailingSince is { } pulling && (next is null || pulling + settings.ImagePullTimeout < next))
        {
            next = pulling + settings.ImagePullTimeout;
        }

        return next;
    }

    private async Task<JobSetup?> VerdictAsync(V1Pod current, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = current.Status;
        var statuses = (status?.InitContainerStatuses ?? []).Concat(status?.ContainerStatuses ?? []).ToList();
        var job = statuses.FirstOrDefault(s => s.Name == KubernetesManifests.JobContainer);
        if (job?.State?.Running is not null || job?.State?.Terminated is not null)
        {
            return JobSetup.Ready;
        }

        var source = statuses.FirstOrDefault(s => s.Name == KubernetesManifests.SourceContainer);
        if (source?.State?.Terminated is { ExitCode: not 0 })
        {
            return JobSetup.Failed(FailureClass.Infra, $"the source could not be fetched: {await SourceLogAsync(cancellationToken)}");
        }

        if (status?.Phase is "Failed" or "Succeeded")
        {
            return JobSetup.Failed(FailureClass.Infra,
                $"the job's pod ended before its steps started: {status.Reason ?? status.Phase}{(status.Message is { Length: > 0 } m ? ": " + m : "")}");
        }

        foreach (var container in statuses)
        {
            var waiting = container.State?.Waiting;
            if (waiting?.Reason is "InvalidImageName" or "CreateContainerConfigError" or "CreateContainerError")
            {
                return JobSetup.Failed(FailureClass.Infra,
                    $"the container {container.Name} cannot be created: {waiting.Reason}: {waiting.Message ?? container.Image}");
            }
        }

        var pulling = statuses.FirstOrDefault(s => s.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff");
        if (pulling is not null)
        {
            _pullFailingSince ??= now;
            var message = pulling.State.Waiting.Message ?? pulling.State.Waiting.Reason;
            if (now - _pullFailingSince >= settings.ImagePullTimeout)
            {
                return JobSetup.Failed(FailureClass.Infra,
                    $"the image {pulling.Image} could not be pulled within {Duration.Format(settings.ImagePullTimeout)}: {message}");
            }

            Wait($"waiting for the image {pulling.Image}: {pulling.State.Waiting.Reason}");
            return null;
        }

        _pullFailingSince = null;
        var scheduled = status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (scheduled is { Status: "False", Reason: "Unschedulable" })
        {
            _unschedulableSince ??= now;
            if (now - _unschedulableSince >= settings.SchedulingTimeout)
            {
                return JobSetup.Failed(FailureClass.Infra,
                    $"no node could take the job's pod within {Duration.Format(settings.SchedulingTimeout)}: {scheduled.Message}");
            }

            Wait($"waiting for a node: {scheduled.Message}");
            return null;
        }

        _unschedulableSince = null;
        Wait(null);
        return null;
    }

    private void Wait(string? reason)
    {
        if (reason == _reason)
        {
            return;
        }

        _reason = reason;
        reporter.Waiting(reason);
        if (reason is not null)
        {
            system(reason);
        }
    }

    private async Task<string> SourceLogAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var log = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Name, pod.Namespace,
                container: KubernetesManifests.SourceContainer, tailLines: 5, cancellationToken: cancellationToken);
            using var reader = new StreamReader(log);
            var text = (await reader.ReadToEndAsync(cancellationToken)).Trim();
            return text.Length > 0 ? text.ReplaceLineEndings(" / ") : "its container failed and left no log";
        }
        catch (Exception error) when (error is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
        {
            return "its container failed, and its log could not be read";
        }
    }
}
