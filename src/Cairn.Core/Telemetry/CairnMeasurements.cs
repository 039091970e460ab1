using System.Text;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Telemetry;

/// <summary>Records <see cref="CairnMetrics"/> at the seams, each with its bounded labels: what ends up a label is always
/// one of a fixed set here (an unknown executor or event is <c>other</c>), never a name a person chose.</summary>
public static class CairnMeasurements
{
    /// <summary>The executor kinds a label may carry; anything else is <c>other</c>, a job with none resolved <c>none</c>.</summary>
    public static readonly IReadOnlySet<string> ExecutorKinds = new HashSet<string>(
        [.. Runners.ExecutorNames.All, "agent", "publish", "approval", "fake", "none", "unknown", "other"], StringComparer.Ordinal);

    /// <summary>The <c>result</c> values of <c>cairn_webhook_deliveries_total</c>.</summary>
    public static readonly IReadOnlySet<string> WebhookResults = new HashSet<string>(StringComparer.Ordinal)
    {
        "accepted", "ignored", "rejected_signature", "rejected_unknown", "rejected_body", "busy", "error",
    };

    /// <summary>The <c>forge</c> values of <c>cairn_webhook_deliveries_total</c>.</summary>
    public static readonly IReadOnlySet<string> Forges = new HashSet<string>(StringComparer.Ordinal)
    {
        "github", "gitlab", "gitea", "forgejo", "bitbucket", "plane", "other",
    };

    /// <summary>An executor's name as a label: its kind when it is one Cairn has, <c>none</c> when there is none.</summary>
    public static string Executor(string? name) =>
        name is null ? "none" : ExecutorKinds.Contains(name) ? name : "other";

    /// <summary>The executor a job would have before one is resolved (an agent, publish or approval job is its kind).</summary>
    public static string ExecutorOfDefinition(string? kind) => kind is "agent" or "publish" or "approval" ? kind : "unknown";

    /// <summary>A run's trigger as the <c>event</c> label.</summary>
    public static string Event(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.RerunOf is not null)
        {
            return "rerun";
        }

        return run.Trigger switch
        {
            null => "other",
            { Kind: TriggerKind.Push } t when t.Tag is not null => "tag",
            { Kind: TriggerKind.Push } => "push",
            { Kind: TriggerKind.PullRequest } => "pull_request",
            { Kind: TriggerKind.PullRequestReview } => "pull_request_review",
            { Kind: TriggerKind.Schedule } => "schedule",
            { Kind: TriggerKind.Manual } => "manual",
            { Kind: TriggerKind.Tracker } => "plane",
            _ => "other",
        };
    }

    /// <summary>An attempt's outcome was written: a job that ended counts in <c>cairn_jobs_total</c> and its duration; one
    /// queued again counts as a retry of its failure class; either records how long its first step took to start.</summary>
    public static void AttemptEnded(JobCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var executor = new KeyValuePair<string, object?>(CairnMetrics.Labels.Executor, Executor(completion.Executor));
        if (completion.FirstStepAt is { } first && first >= completion.StartedAt)
        {
            CairnMetrics.JobStart.Record((first - completion.StartedAt).TotalSeconds, executor);
        }

        if (completion.RetryAt is not null)
        {
            CairnMetrics.Retries.Add(1, new KeyValuePair<string, object?>(CairnMetrics.Labels.Class, completion.FailureClass?.ToWire() ?? "infra"));
            return;
        }

        var status = new KeyValuePair<string, object?>(CairnMetrics.Labels.Status, completion.Status.ToWire());
        CairnMetrics.Jobs.Add(1, status, executor);
        CairnMetrics.JobDuration.Record(Math.Max(0, (completion.FinishedAt - completion.StartedAt).TotalSeconds), status, executor);
    }

    /// <summary>A job was leased <paramref name="waited"/> after it was queued.</summary>
    public static void Leased(string executor, TimeSpan waited) =>
        CairnMetrics.JobQueueWait.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>(CairnMetrics.Labels.Executor, Executor(executor)));

    /// <summary>A step ended (a step still running records nothing).</summary>
    public static void StepEnded(StepStatus status, DateTimeOffset? startedAt, DateTimeOffset? finishedAt)
    {
        if (status == StepStatus.Running || startedAt is not { } started || finishedAt is not { } finished)
        {
            return;
        }

        CairnMetrics.StepDuration.Record(Math.Max(0, (finished - started).TotalSeconds),
            new KeyValuePair<string, object?>(CairnMetrics.Labels.Status, status.ToString().ToLowerInvariant()));
    }

    /// <summary>A run ended.</summary>
    public static void RunEnded(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        CairnMetrics.Runs.Add(1,
            new KeyValuePair<string, object?>(CairnMetrics.Labels.Status, run.Status.ToWire()),
            new KeyValuePair<string, object?>(CairnMetrics.Labels.Event, Event(run)));
    }

    /// <summary>A webhook delivery was answered.</summary>
    public static void WebhookDelivery(string forge, string result) =>
        CairnMetrics.WebhookDeliveries.Add(1,
            new KeyValuePair<string, object?>(CairnMetrics.Labels.Forge, Forges.Contains(forge) ? forge : "other"),
            new KeyValuePair<string, object?>(CairnMetrics.Labels.Result, WebhookResults.Contains(result) ? result : "error"));

    /// <summary>Log lines were stored.</summary>
    public static void LogWritten(IEnumerable<StoredLogLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        long bytes = 0;
        foreach (var line in lines)
        {
            bytes += Encoding.UTF8.GetByteCount(line.Text) + 1;
        }

        if (bytes > 0)
        {
            CairnMetrics.LogBytes.Add(bytes);
        }
    }

    /// <summary>A secret was opened for a job.</summary>
    public static void SecretRead() => CairnMetrics.SecretReads.Add(1);

    /// <summary>A job's lease expired and the reaper took it back.</summary>
    public static void LeaseExpired() => CairnMetrics.LeaseExpirations.Add(1);
}
