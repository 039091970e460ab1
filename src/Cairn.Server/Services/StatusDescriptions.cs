using Cairn.Core.Agents;
using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;

namespace Cairn.Server.Services;

/// <summary>What a job's commit status says beyond its state, by kind: an agent job its turns, cost and time before its
/// verdict (<c>12 turns · $0.84 · 6m · passed</c>), a gate how many approvals it has (<c>waiting for approval (1 of
/// 2)</c>), a publish job its pull request (<c>PR #12</c>).</summary>
internal static class StatusDescriptions
{
    /// <summary>The most a forge shows of a description (GitHub's limit; the others allow more).</summary>
    public const int MaxLength = 140;

    private const string GatePrefix = "waiting for approval";

    /// <summary>An agent job's status: the agent's record before the plain verdict, once the job ended.</summary>
    public static CommitStatus Agent(CommitStatus plain, JobStatus? status, JobRecord job, AgentSessionRecord? latest)
    {
        ArgumentNullException.ThrowIfNull(plain);
        ArgumentNullException.ThrowIfNull(job);
        if (latest is null || status is not (JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled))
        {
            return plain;
        }

        var took = job.StartedAt is { } s && job.FinishedAt is { } f ? f - s : (TimeSpan?)null;
        var usage = AgentReport.Describe(latest.Report.Usage, took);
        var verdict = status == JobStatus.Succeeded ? "passed" : plain.Description;
        return plain with { Description = Clip(usage.Length == 0 ? verdict : $"{usage} · {verdict}") };
    }

    /// <summary>An open gate's status: <c>waiting for approval (1 of 2)</c>, from the reason the gate keeps on its job.</summary>
    public static CommitStatus Gate(CommitStatus plain, JobStatus? status, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(plain);
        ArgumentNullException.ThrowIfNull(job);
        if (status != JobStatus.Waiting || job.Status != JobStatus.Waiting || job.PendingReason is not { } reason || !reason.StartsWith(GatePrefix, StringComparison.Ordinal))
        {
            return plain;
        }

        var count = reason.LastIndexOf(" (", StringComparison.Ordinal);
        return plain with { Description = count > 0 && reason.EndsWith(')') ? GatePrefix + reason[count..] : GatePrefix };
    }

    /// <summary>A publish job that succeeded says the pull request it opened: <c>PR #12</c>.</summary>
    public static CommitStatus Publish(CommitStatus plain, JobStatus? status, PullRequestRecord? opened)
    {
        ArgumentNullException.ThrowIfNull(plain);
        return status == JobStatus.Succeeded && opened is not null ? plain with { Description = Clip(opened.Describe()) } : plain;
    }

    private static string Clip(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength - 1), "…");
}
