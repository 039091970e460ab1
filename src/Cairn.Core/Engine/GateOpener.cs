using Cairn.Core.Agents;
using Cairn.Core.Gates;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;

namespace Cairn.Core.Engine;

/// <summary>Opens the gate of an approval job whose needs ended, where another job would be queued: the job stays waiting
/// (no worker ever leases it) with a pending reason naming who may approve, bound to the commit they approve — the branch
/// tip of the nearest agent job before it, else the run's commit — until its deadline.</summary>
internal sealed class GateOpener(IRunStore store, TimeProvider time, IWorkItemNotifier notifier)
{
    /// <summary>The wire name of an approval job's kind.</summary>
    public const string ApprovalKind = "approval";

    private const string AgentKind = "agent";

    /// <summary>Opens the job's gate unless it is open already (or the store keeps none). Never queues the job.</summary>
    public async Task OpenAsync(
        RunRecord run, JobRecord job, JobDefinitionJson definition, IReadOnlyDictionary<string, JobRecord> jobs, CancellationToken cancellationToken)
    {
        if (store is not IApprovalStore gates || await gates.GetGateAsync(job.Id, cancellationToken) is not null)
        {
            return;
        }

        var approval = definition.Approval ?? new ApprovalJson([], 1, 0);
        var opened = time.GetUtcNow();
        var gate = new GateRecord(
            job.Id,
            run.Id,
            run.Repository ?? string.Empty,
            approval.Approvers,
            Math.Max(1, approval.Min),
            await ShaAsync(run, job, jobs, cancellationToken),
            Triggerer(run),
            opened,
            approval.TimeoutMs > 0 ? opened + TimeSpan.FromMilliseconds(approval.TimeoutMs) : null);
        if (await gates.OpenGateAsync(gate, GateReasons.Waiting(gate.Approvers, 0, gate.Min), cancellationToken))
        {
            await notifier.GateWaitingAsync(run, gate, cancellationToken);
        }
    }

    /// <summary>Who started the run: the forge login or Cairn user the trigger names, else the pull request's author.</summary>
    public static string? Triggerer(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Trigger?.Sender ?? run.Trigger?.PullRequest?.Author;
    }

    private async Task<string?> ShaAsync(RunRecord run, JobRecord job, IReadOnlyDictionary<string, JobRecord> jobs, CancellationToken cancellationToken)
    {
        if (NearestAgent(job, jobs) is not { } agent || store is not IAgentSessionStore sessions)
        {
            return run.Sha;
        }

        try
        {
            var records = await sessions.GetAgentSessionsAsync(run.Id, cancellationToken);
            var latest = records.Where(r => r.JobId == agent.Id).MaxBy(r => r.Attempt);
            return latest?.Report.Head ?? run.Sha;
        }
        catch (NotSupportedException)
        {
            // A store that keeps no agent records yet: the run's commit is what there is to approve.
            return run.Sha;
        }
    }

    /// <summary>The agent job nearest before <paramref name="job"/> through its needs, breadth first, in the order written.</summary>
    private static JobRecord? NearestAgent(JobRecord job, IReadOnlyDictionary<string, JobRecord> jobs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Queue<string>(job.Needs);
        while (next.TryDequeue(out var name))
        {
            if (!seen.Add(name) || !jobs.TryGetValue(name, out var need))
            {
                continue;
            }

            if (string.Equals(JobDefinitionJson.Deserialize(need.Definition).Kind, AgentKind, StringComparison.Ordinal))
            {
                return need;
            }

            foreach (var further in need.Needs)
            {
                next.Enqueue(further);
            }
        }

        return null;
    }
}
