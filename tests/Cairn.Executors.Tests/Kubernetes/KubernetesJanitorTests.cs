using Cairn.Core.Runs;
using Cairn.Executors.Kubernetes;
using static Cairn.Executors.Tests.Jobs;
using static Cairn.Executors.Tests.Kubernetes.KubernetesJobs;

namespace Cairn.Executors.Tests.Kubernetes;

public sealed class KubernetesJanitorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_janitor_removes_what_a_dead_lease_left_and_keeps_a_live_leases_and_anothers()
    {
        await using var api = new FakeKubernetesApi();
        Guid dead = Guid.NewGuid(), live = Guid.NewGuid();
        api.Seed(Namespace, "cairn-1-1-1-aaaaaa", Labels("worker-1", dead));
        api.Seed(Namespace, "cairn-2-2-1-bbbbbb", Labels("worker-1", live));
        api.Seed(Namespace, "cairn-3-3-1-cccccc", Labels("worker-2", dead));
        api.Seed(Namespace, "unrelated", new Dictionary<string, string> { ["cairn.owner"] = "worker-1" });
        using var executor = Executor(api);
        var leases = new Leases([live]);

        var swept = await executor.Janitor(leases).SweepAsync([Namespace], Ct);

        Assert.Equal([$"{Namespace}/cairn-1-1-1-aaaaaa"], swept.Pods);
        Assert.Equal([$"{Namespace}/cairn-1-1-1-aaaaaa"], swept.Secrets);
        Assert.Equal(["cairn-2-2-1-bbbbbb", "cairn-3-3-1-cccccc", "unrelated"], api.Pods.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal([$"{Namespace}/cairn-2-2-1-bbbbbb", $"{Namespace}/cairn-3-3-1-cccccc", $"{Namespace}/unrelated"], api.Secrets.Order(StringComparer.Ordinal));
        Assert.Contains(dead, leases.Asked);
    }

    [Fact]
    public async Task The_janitor_never_removes_a_pod_this_process_is_running_even_when_its_lease_looks_dead()
    {
        var started = new TaskCompletionSource<FakePod>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = async (pod, ct) =>
            {
                await StartAsync(pod, ct);
                pod.Log(pod.Marker("start:0"));
                started.TrySetResult(pod);
            },
        };
        using var executor = Executor(api);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = executor.RunAsync(Job([Step(0, "sleep 600")]), new RecordingJobReporter(), cancel.Token);
        var pod = await started.Task.WaitAsync(Ct);

        var swept = await executor.Janitor(new Leases([])).SweepAsync([Namespace], Ct);

        Assert.Empty(swept.Pods);
        Assert.Contains(api.Pods, p => p.Name == pod.Name);
        await cancel.CancelAsync();
        await run;
    }

    private static Dictionary<string, string> Labels(string owner, Guid lease) =>
        new() { ["cairn.owner"] = owner, ["cairn.lease"] = lease.ToString() };

    private sealed class Leases(IReadOnlyCollection<Guid> live) : ILeaseLiveness
    {
        public List<Guid> Asked { get; } = [];

        public Task<IReadOnlySet<Guid>> LiveAsync(IReadOnlyCollection<Guid> leaseIds, CancellationToken cancellationToken)
        {
            Asked.AddRange(leaseIds);
            return Task.FromResult<IReadOnlySet<Guid>>(leaseIds.Where(live.Contains).ToHashSet());
        }
    }
}
