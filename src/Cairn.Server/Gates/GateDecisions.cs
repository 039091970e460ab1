using Cairn.Core.Access;
using Cairn.Core.Engine;
using Cairn.Core.Gates;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Gates;

/// <summary>Approves or rejects a gate, whatever the channel: checks that the gate is open, that the decision is about the
/// gate's commit and that the person may decide it; records the decision and audits it (refusals too); then ends the gate
/// when enough people approved (the run's own triggerer counting only beside someone else) or someone rejected it, and
/// moves the run on.</summary>
public sealed partial class GateDecisions(
    IRunStore runs,
    IApprovalStore gates,
    GateEligibility eligibility,
    RunCoordinator coordinator,
    IAuditLog audit,
    TimeProvider time,
    ILogger<GateDecisions> log) : IGateDecisions
{
    public Task<GateDecision> DecideAsync(
        long runId, long jobId, string person, ApprovalChannel channel, bool approve, string? sha, string? comment,
        CancellationToken cancellationToken) =>
        DecideAsync(runId, jobId, new GateDecider(person, []), channel, approve, sha, comment, cancellationToken);

    /// <summary>As the interface's, for a decider whose groups (and token, address) are known.</summary>
    public async Task<GateDecision> DecideAsync(
        long runId, long jobId, GateDecider decider, ApprovalChannel channel, bool approve, string? sha, string? comment,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decider);
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        var job = await runs.GetJobAsync(jobId, cancellationToken);
        if (job is null || job.RunId != runId)
        {
            return new GateDecision.NotFound();
        }

        var gate = await gates.GetGateAsync(jobId, cancellationToken);
        var refusal = gate is null ? NotOpen(job) : Refusal(job, gate, sha);
        var user = refusal is null ? await eligibility.EligibleAsync(gate!, decider, cancellationToken) : null;
        if (refusal is null && user is null)
        {
            refusal = $"{decider.Person} may not decide '{job.Name}': it waits for approval by {string.Join(", ", gate!.Approvers)}";
        }

        var repository = gate?.Repository;
        if (refusal is not null)
        {
            await AuditAsync(job, repository, decider, approve, channel, comment, AuditOutcomes.Denied, refusal, cancellationToken);
            return new GateDecision.Refused(refusal);
        }

        var now = time.GetUtcNow();
        var recorded = await gates.AddApprovalAsync(
            new NewApproval(runId, jobId, user!.Name, channel, approve, gate!.Sha, comment, now), cancellationToken);
        var (decided, summary) = approve
            ? await ApproveAsync(job, gate, now, cancellationToken)
            : await RejectAsync(job, user.Name, channel, comment, now, cancellationToken);
        await AuditAsync(job, repository, decider with { Person = user.Name }, approve, channel, comment, AuditOutcomes.Ok, summary, cancellationToken);
        if (decided)
        {
            LogDecided(log, job.Name, runId, summary);
            await coordinator.AdvanceAsync(runId, cancellationToken);
        }

        return new GateDecision.Recorded(recorded, decided, summary);
    }

    /// <summary>How many distinct people approved the gate's commit, the triggerer counting only beside someone else; and
    /// who they are, in the order they approved.</summary>
    public static IReadOnlyList<string> Counted(GateRecord gate, IEnumerable<ApprovalRecord> approvals)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(approvals);
        var approvers = approvals
            .Where(a => a.JobId == gate.JobId && a.Approved && string.Equals(a.Sha, gate.Sha, StringComparison.Ordinal))
            .OrderBy(a => a.At)
            .Select(a => a.Person)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var others = approvers.Count(p => !IsTriggerer(gate, p));
        return others == 0 ? [] : approvers;
    }

    private static bool IsTriggerer(GateRecord gate, string person) =>
        gate.Triggerer is { } triggerer && string.Equals(triggerer, person, StringComparison.OrdinalIgnoreCase);

    private async Task<(bool Decided, string Summary)> ApproveAsync(JobRecord job, GateRecord gate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var counted = Counted(gate, await gates.GetApprovalsAsync(job.RunId, cancellationToken));
        if (counted.Count >= gate.Min)
        {
            var detail = GateReasons.Approved(counted);
            if (await gates.EndGateAsync(job.Id, JobStatus.Succeeded, new JobTransition(now, null, detail), cancellationToken))
            {
                return (true, detail);
            }

            return (false, $"approval recorded; '{job.Name}' was decided meanwhile");
        }

        var reason = GateReasons.Waiting(gate.Approvers, counted.Count, gate.Min);
        await gates.SetGateReasonAsync(job.Id, reason, cancellationToken);
        return counted.Count == 0 && gate.Triggerer is not null
            ? (false, $"approval recorded; the run's own triggerer counts only beside another approver: {reason}")
            : (false, $"approval recorded: {reason}");
    }

    private async Task<(bool Decided, string Summary)> RejectAsync(
        JobRecord job, string person, ApprovalChannel channel, string? comment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var detail = GateReasons.Rejected(person, channel, comment);
        return await gates.EndGateAsync(job.Id, JobStatus.Cancelled, new JobTransition(now, FailureClass.Cancelled, detail), cancellationToken)
            ? (true, detail)
            : (false, $"rejection recorded; '{job.Name}' was decided meanwhile");
    }

    private static string NotOpen(JobRecord job) => job.Status == JobStatus.Waiting
        ? $"'{job.Name}' is not open for approval yet: the jobs it needs have not ended"
        : $"'{job.Name}' is not an open gate: it is {job.Status.ToWire()}";

    private static string? Refusal(JobRecord job, GateRecord gate, string? sha)
    {
        if (job.Status != JobStatus.Waiting)
        {
            return $"'{job.Name}' is not open for approval any more: it was decided ({job.Status.ToWire()})";
        }

        if (sha is { Length: > 0 } seen && gate.Sha is { } current && !SameCommit(seen, current))
        {
            return $"the change moved on: approvals are for commit {current}";
        }

        return null;
    }

    /// <summary>Whether a commit the person saw (full, or abbreviated to at least 7 characters) is the gate's.</summary>
    private static bool SameCommit(string seen, string current) =>
        seen.Length >= 7 && current.StartsWith(seen.Trim(), StringComparison.OrdinalIgnoreCase);

    private async Task AuditAsync(
        JobRecord job, string? repository, GateDecider decider, bool approve, ApprovalChannel channel, string? comment, string outcome,
        string summary, CancellationToken cancellationToken)
    {
        var detail = $"channel {channel.ToWire()}" + (comment is null ? "" : $"; comment: {comment}") + $"; {summary}";
        var entry = new NewAuditEntry(
            time.GetUtcNow(), job.RunId, job.Id, repository, null, approve ? AuditActions.GateApproved : AuditActions.GateRejected,
            decider.Person, detail)
        {
            Target = job.Name,
            Outcome = outcome,
            TokenName = decider.TokenName,
            ClientAddress = decider.ClientAddress,
        };
        await audit.AppendAuditAsync(entry, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "gate {Job} of run {Run}: {Summary}")]
    private static partial void LogDecided(ILogger logger, string job, long run, string summary);
}
