using Cairn.Core.Access;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Server.Access;

namespace Cairn.Server.Services;

/// <summary>The audit entries of what a person does to runs, alike from the API and the dashboard: a run triggered or
/// run again (the new run is the target; a start the pipeline refused is <c>failed</c>, with why), a run cancelled.</summary>
public static class RunAudit
{
    /// <summary>Records a trigger (<paramref name="rerunOf"/> null) or a rerun of <paramref name="rerunOf"/>, as it ended.</summary>
    public static Task RecordStartAsync(
        this AuditTrail audit, Caller caller, string repository, StartResult result, RunRecord? rerunOf, bool onlyFailed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var action = rerunOf is null ? AuditActions.RunTriggered : AuditActions.RunRerun;
        var again = rerunOf is null ? null : onlyFailed ? $"the failed jobs of run {rerunOf.Id}" : $"run {rerunOf.Id}";
        return result switch
        {
            StartResult.Started started => audit.RecordAsync(
                caller, Entry(action, repository, started.Run.Id, $"run {started.Run.Id}", again), cancellationToken),
            StartResult.Refused refused => audit.RecordAsync(
                caller, Entry(action, repository, rerunOf?.Id, rerunOf is null ? null : $"run {rerunOf.Id}", refused.Reason) with { Outcome = AuditOutcomes.Failed },
                cancellationToken),
            StartResult.Ignored ignored => audit.RecordAsync(
                caller, Entry(action, repository, rerunOf?.Id, rerunOf is null ? null : $"run {rerunOf.Id}", ignored.Reason) with { Outcome = AuditOutcomes.Failed },
                cancellationToken),
            _ => Task.CompletedTask,
        };
    }

    /// <summary>Records an attempt on <paramref name="run"/> (a cancel, or a rerun the server refused before starting it).</summary>
    public static Task RecordOnRunAsync(
        this AuditTrail audit, Caller caller, string action, RunRecord run, string outcome, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(run);
        return audit.RecordAsync(caller, Entry(action, run.Repository, run.Id, $"run {run.Id}", detail) with { Outcome = outcome }, cancellationToken);
    }

    private static NewAuditEntry Entry(string action, string? repository, long? runId, string? target, string? detail) =>
        new(default, runId, null, repository, null, action, Detail: detail) { Target = target };
}
