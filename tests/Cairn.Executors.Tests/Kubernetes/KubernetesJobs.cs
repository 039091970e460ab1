using Cairn.Core.Execution;
using Cairn.Core.Runners;
using Cairn.Executors.Kubernetes;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>Jobs, pod scripts and executors for the kubernetes executor's tests against the fake API.</summary>
internal static class KubernetesJobs
{
    public const string Namespace = "ci";

    public static JobSpec Job(IReadOnlyList<StepSpec> steps, KubernetesRunnerOptions? pod = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? env = null, IReadOnlyList<string>? secretNames = null) =>
        Jobs.Job("/workspace", steps, env, timeout, "busybox:1.36") with
        {
            Kubernetes = pod ?? new KubernetesRunnerOptions(Namespace, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)),
            LeaseId = Guid.NewGuid(),
            SecretNames = secretNames ?? [],
        };

    public static KubernetesExecutor Executor(FakeKubernetesApi api, string owner = "worker-1") =>
        new(new KubernetesExecutorOptions { KubeconfigPath = api.KubeconfigPath, OwnerId = owner, StopGrace = TimeSpan.FromSeconds(3) }, TimeProvider.System);

    /// <summary>The pod is scheduled, pulls, runs: the steps' lines between markers, then done.</summary>
    public static async Task StartAsync(FakePod pod, CancellationToken cancellationToken)
    {
        pod.Event("Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to node-1");
        pod.Scheduled();
        pod.Waiting("job", "ContainerCreating");
        pod.Event("Pulled", "Container image \"busybox:1.36\" already present on machine");
        await Task.Yield();
        pod.Running();
    }

    /// <summary>A script: every step prints its lines and exits with its code; a step after a failure is skipped.</summary>
    public static Func<FakePod, CancellationToken, Task> Runs(params (string[] Lines, int Code)[] steps) => async (pod, ct) =>
    {
        await StartAsync(pod, ct);
        var failed = false;
        for (var i = 0; i < steps.Length; i++)
        {
            if (failed)
            {
                pod.Log(pod.Marker($"skip:{i}"));
                continue;
            }

            pod.Log(pod.Marker($"start:{i}"));
            foreach (var line in steps[i].Lines)
            {
                pod.Log(line);
            }

            pod.Log(pod.Marker($"end:{i}:{steps[i].Code}"));
            failed = steps[i].Code != 0;
        }

        pod.Log(pod.Marker("done"));
        pod.Terminated("job", failed ? 1 : 0);
    };
}
