using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>One job as a pod: its Secret and pod made (waiting out a namespace's quota), the pod followed until its
/// <c>job</c> container runs, each step read from that container's log between the supervisor's markers, and the pod and
/// Secret removed at the end whatever happened.</summary>
internal sealed partial class KubernetesJobEnvironment(
    IKubernetes client,
    JobSpec job,
    IJobReporter reporter,
    KubernetesExecutorOptions options,
    string owner,
    ConcurrentDictionary<string, byte> live,
    TimeProvider time) : IJobEnvironment, IAsyncDisposable
{
    private static readonly TimeSpan SupervisorTimeoutGrace = TimeSpan.FromSeconds(5);
    private PodIdentity? _pod;
    private bool _secretMade;
    private bool _podMade;
    private bool _stopping;
    private int _stepIndex;
    private PodEvents? _events;
    private PodLog? _log;

    public async Task<JobSetup> PrepareAsync(CancellationToken cancellationToken)
    {
        if (job.Kubernetes is not { } settings)
        {
            return JobSetup.NotStarted(FailureClass.Config, "the kubernetes executor needs a runner alias with `executor: kubernetes` and a namespace");
        }

        _pod = new PodIdentity(PodName(job), settings.Namespace, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), owner);
        JobManifests manifests;
        try
        {
            manifests = KubernetesManifests.Build(job, _pod, options);
        }
        catch (ArgumentException error)
        {
            return JobSetup.NotStarted(FailureClass.Config, error.Message);
        }

        try
        {
            var secret = await CreateAsync(() => client.CoreV1.CreateNamespacedSecretAsync(manifests.Secret, _pod.Namespace, cancellationToken: cancellationToken), cancellationToken);
            _secretMade = true;
            live.TryAdd(Key(_pod), 0);
            var pod = await CreateAsync(() => client.CoreV1.CreateNamespacedPodAsync(manifests.Pod, _pod.Namespace, cancellationToken: cancellationToken), cancellationToken);
            _podMade = true;
            reporter.Waiting(null);
            await OwnSecretAsync(secret, pod, cancellationToken);
        }
        catch (HttpOperationException error)
        {
            return JobSetup.Failed(FailureClass.Infra, $"the cluster refused the job's pod: {ApiMessage(error)}");
        }
        catch (HttpRequestException error)
        {
            return JobSetup.Failed(FailureClass.Infra, $"the cluster could not be reached: {error.Message}");
        }

        _events = new PodEvents(client, _pod, text => System(_stepIndex, text), time);
        _events.Start();
        var setup = await new PodStartup(client, _pod, settings, reporter, text => System(0, text), time).WaitAsync(cancellationToken);
        if (setup.IsReady)
        {
            _log = new PodLog(client, _pod, time);
            _log.Start();
            return await FilesReadyAsync(cancellationToken) ?? setup;
        }

        return setup;
    }

    public async Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(step);
        _stepIndex = step.Index;
        if (_log is null || _stopping)
        {
            return StepExit.NotStarted("the job's pod is gone: an earlier stop removed it");
        }

        if (await ReleaseRestoredAsync(stop) is { } refused)
        {
            return refused;
        }

        var started = time.GetUtcNow();
        try
        {
            return await ReadStepAsync(step, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The step's own timer started a moment before this method did: a stop that comes about when it was due is
            // taken for it, and the supervisor (which enforces it too) gets a few seconds to say so.
            if (step.Timeout is { } limit && time.GetUtcNow() - started >= limit - TimeSpan.FromMilliseconds(500))
            {
                using var grace = new CancellationTokenSource(SupervisorTimeoutGrace, time);
                try
                {
                    return await ReadStepAsync(step, grace.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await StopPodAsync(options.StopGrace);
            using var drain = new CancellationTokenSource(options.StopGrace + TimeSpan.FromSeconds(10), time);
            try
            {
                await ReadStepAsync(step, drain.Token);
            }
            catch (OperationCanceledException)
            {
            }

            return StepExit.Stopped;
        }
    }

    public async Task<string?> TearDownAsync(CancellationToken cancellationToken)
    {
        if (_pod is null)
        {
            return null;
        }

        var problems = new List<string>();
        await ReleaseForTearDownAsync();
        if (_log is not null)
        {
            using var bound = new CancellationTokenSource(options.CleanupTimeout / 2, time);
            try
            {
                await DrainAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                await StopPodAsync(TimeSpan.FromSeconds(1));
                using var rest = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
                try
                {
                    await DrainAsync(rest.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await _log.DisposeAsync();
        }

        using var cleanup = new CancellationTokenSource(options.CleanupTimeout, time);
        // A pod whose create was cut short may exist without this process having heard so: delete it all the same.
        if ((_podMade || _secretMade) && !await RemoveAsync(() => client.CoreV1.DeleteNamespacedPodAsync(_pod.Name, _pod.Namespace,
                new V1DeleteOptions { GracePeriodSeconds = 1 }, cancellationToken: cleanup.Token)))
        {
            problems.Add($"pod {_pod.Namespace}/{_pod.Name}");
        }

        if (_secretMade && !await RemoveAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(_pod.Name, _pod.Namespace, cancellationToken: cleanup.Token)))
        {
            problems.Add($"secret {_pod.Namespace}/{_pod.Name}");
        }

        if (_events is not null)
        {
            await _events.DisposeAsync();
        }

        live.TryRemove(Key(_pod), out _);
        return problems.Count == 0 ? null : $"the job's {string.Join(" and ", problems)} could not be removed";
    }

    public async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }

        if (_events is not null)
        {
            await _events.DisposeAsync();
        }
    }

    /// <summary><c>cairn-RUN-JOB-ATTEMPT-RANDOM</c>, at most 63 characters, lower case.</summary>
    public static string PodName(JobSpec job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var name = string.Create(CultureInfo.InvariantCulture, $"cairn-{job.RunId}-{job.JobId}-{job.Attempt}-{random}");
        return name.Length <= 63 ? name : name[^63..].TrimStart('-');
    }

    internal static string Key(PodIdentity pod) => pod.Namespace + "/" + pod.Name;

    private async Task<StepExit> ReadStepAsync(StepSpec step, CancellationToken stop)
    {
        var log = _log!;
        var current = step.Index;
        while (await log.Items.WaitToReadAsync(stop))
        {
            while (log.Items.TryRead(out var item))
            {
                if (item.Marker is not { } marker)
                {
                    reporter.Log(new LogLine(current, LogStream.Stdout, item.At, item.Text ?? ""));
                    continue;
                }

                if (marker.Kind == StepMarkerKind.Start)
                {
                    current = marker.Index;
                    continue;
                }

                if (marker.Kind == StepMarkerKind.Done)
                {
                    return StepExit.NotStarted("the pod's supervisor ended before this step");
                }

                if (marker.Index != step.Index)
                {
                    continue;
                }

                return marker.Kind switch
                {
                    StepMarkerKind.End => StepExit.Exited(marker.ExitCode ?? 0),
                    StepMarkerKind.OutOfMemory => StepExit.Failed(FailureClass.Script, marker.ExitCode, OutOfMemory()),
                    StepMarkerKind.Skipped => StepExit.NotStarted("the pod's supervisor did not run this step: its condition did not hold there"),
                    _ => StepExit.Stopped,
                };
            }
        }

        return await EndedWithoutMarkerAsync(stop);
    }

    private async Task<StepExit> EndedWithoutMarkerAsync(CancellationToken cancellationToken)
    {
        if (_stopping)
        {
            return StepExit.Stopped;
        }

        try
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(_pod!.Name, _pod.Namespace, cancellationToken: cancellationToken);
            var state = pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == KubernetesManifests.JobContainer)?.State;
            if (state?.Terminated is { Reason: "OOMKilled" } oom)
            {
                return StepExit.Failed(FailureClass.Script, oom.ExitCode, OutOfMemory());
            }

            var why = state?.Terminated is { } ended ? $"{ended.Reason ?? "ended"} (exit code {ended.ExitCode}){Colon(ended.Message)}"
                : $"{pod.Status?.Reason ?? pod.Status?.Phase ?? "gone"}{Colon(pod.Status?.Message)}";
            return StepExit.Failed(FailureClass.Infra, null, $"the job's container ended in the middle of the step: {why}");
        }
        catch (HttpOperationException error) when (error.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return StepExit.Failed(FailureClass.Infra, null, "the job's pod was deleted in the middle of the step");
        }
    }

    private string OutOfMemory() =>
        job.Resources?.MemoryBytes is { } bytes
            ? $"killed: out of memory (limit {Cairn.Core.Runners.ResourceQuantity.FormatMemory(bytes)}, OOMKilled)"
            : "killed: out of memory (OOMKilled)";

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var log = _log!;
        while (await log.Items.WaitToReadAsync(cancellationToken))
        {
            while (log.Items.TryRead(out var item))
            {
                if (item.Text is { } text)
                {
                    reporter.Log(new LogLine(_stepIndex, LogStream.Stdout, item.At, text));
                }
            }
        }
    }

    private async Task StopPodAsync(TimeSpan grace)
    {
        if (_pod is null || !_podMade)
        {
            return;
        }

        _stopping = true;
        using var bound = new CancellationTokenSource(options.CleanupTimeout, time);
        await RemoveAsync(() => client.CoreV1.DeleteNamespacedPodAsync(_pod.Name, _pod.Namespace,
            new V1DeleteOptions { GracePeriodSeconds = (long)Math.Ceiling(grace.TotalSeconds) }, cancellationToken: bound.Token));
    }

    private async Task<T> CreateAsync<T>(Func<Task<T>> create, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        var told = false;
        while (true)
        {
            try
            {
                return await create();
            }
            catch (HttpOperationException error) when (QuotaRefusal.Message(error) is { } message)
            {
                var reason = QuotaRefusal.Reason(message);
                reporter.Waiting(reason);
                if (!told)
                {
                    told = true;
                    System(0, $"{reason}: {message}");
                }

                var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
                await Task.Delay(delay * jitter, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task OwnSecretAsync(V1Secret secret, V1Pod pod, CancellationToken cancellationToken)
    {
        var patch = new
        {
            metadata = new
            {
                ownerReferences = new[]
                {
                    new { apiVersion = "v1", kind = "Pod", name = pod.Metadata.Name, uid = pod.Metadata.Uid },
                },
            },
        };
        await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch),
            secret.Metadata.Name, secret.Metadata.NamespaceProperty ?? _pod!.Namespace, cancellationToken: cancellationToken);
    }

    private static async Task<bool> RemoveAsync(Func<Task> delete)
    {
        try
        {
            await delete();
            return true;
        }
        catch (HttpOperationException error) when (error.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (Exception error) when (error is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string ApiMessage(HttpOperationException error) =>
        QuotaRefusal.Message(error) ?? (error.Response?.Content is { Length: > 0 and < 2000 } content ? content : error.Message);

    private static string Colon(string? message) => message is { Length: > 0 } ? ": " + message : "";

    private void System(int stepIndex, string text) =>
        reporter.Log(new LogLine(stepIndex, LogStream.System, time.GetUtcNow(), text));
}
