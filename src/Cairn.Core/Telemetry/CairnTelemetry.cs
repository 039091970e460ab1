using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cairn.Core.Telemetry;

/// <summary>Cairn's one activity source and one meter. Both are plain System.Diagnostics types: Core records into them
/// and never knows who listens (the server registers OpenTelemetry's SDK; tests register their own listeners).</summary>
public static class CairnTelemetry
{
    /// <summary>The name of the activity source and of the meter: what an OpenTelemetry SDK subscribes to.</summary>
    public const string Name = "Cairn";

    public static readonly ActivitySource Source = new(Name, typeof(CairnTelemetry).Assembly.GetName().Version?.ToString(3));

    public static readonly Meter Meter = new(Name, typeof(CairnTelemetry).Assembly.GetName().Version?.ToString(3));

    /// <summary>Span names. One trace per run: <see cref="Webhook"/> (or <see cref="RunStarted"/> when no webhook started
    /// it) is its root; every other span of the run is below it.</summary>
    public static class Spans
    {
        public const string Webhook = "webhook";
        public const string SignatureCheck = "webhook.signature";
        public const string RunStarted = "run.start";
        public const string Plan = "pipeline.plan";
        public const string QueueWait = "job.queue";
        public const string Job = "job";
        public const string Prepare = "job.prepare";
        public const string Step = "step";
        public const string StatusDelivery = "status.deliver";
    }

    /// <summary>Attribute names on spans (never labels on metrics: a repository is unbounded).</summary>
    public static class Attributes
    {
        public const string RunId = "cairn.run.id";
        public const string JobId = "cairn.job.id";
        public const string JobName = "cairn.job.name";
        public const string Repository = "cairn.repository";
        public const string Step = "cairn.step";
        public const string Forge = "cairn.forge";
        public const string Event = "cairn.event";
        public const string Executor = "cairn.executor";
        public const string Status = "cairn.status";
        public const string Attempt = "cairn.attempt";
    }
}

/// <summary>Every metric Cairn records. Labels are bounded sets only (a status, an executor kind, a forge, an event
/// kind, a failure class, a reason): no repository, branch, user, run or job id ever becomes a label.</summary>
public static class CairnMetrics
{
    /// <summary>Histogram bucket bounds in seconds, from 0.1 s to 3 h: a step of a tenth of a second and a job of hours
    /// both land in a bucket that says something.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 10800];

    private static readonly InstrumentAdvice<double> Durations = new() { HistogramBucketBoundaries = DurationBuckets };

    /// <summary>Jobs that ended, by <c>status</c> (success, failure, cancelled, skipped…) and <c>executor</c>.</summary>
    public static readonly Counter<long> Jobs = CairnTelemetry.Meter.CreateCounter<long>("cairn_jobs_total", description: "Jobs that ended, by status and executor.");

    /// <summary>Runs that ended, by <c>status</c> and <c>event</c> (push, pull_request, tag, manual, schedule, rerun…).</summary>
    public static readonly Counter<long> Runs = CairnTelemetry.Meter.CreateCounter<long>("cairn_runs_total", description: "Runs that ended, by status and the kind of event that started them.");

    public static readonly Histogram<double> JobDuration = CairnTelemetry.Meter.CreateHistogram("cairn_job_duration_seconds", "s", "From a job's lease to its end, by status and executor.", advice: Durations);

    public static readonly Histogram<double> JobQueueWait = CairnTelemetry.Meter.CreateHistogram("cairn_job_queue_wait_seconds", "s", "From a job's enqueueing to its lease, by executor.", advice: Durations);

    public static readonly Histogram<double> JobStart = CairnTelemetry.Meter.CreateHistogram("cairn_job_start_seconds", "s", "From a job's lease to its first step, by executor.", advice: Durations);

    public static readonly Histogram<double> StepDuration = CairnTelemetry.Meter.CreateHistogram("cairn_step_duration_seconds", "s", "Each step's run time, by status.", advice: Durations);

    /// <summary>Deliveries at the webhook endpoints, by <c>forge</c> and <c>result</c> (accepted, ignored, rejected_signature,
    /// rejected_unknown_repository, rejected_body, busy, error).</summary>
    public static readonly Counter<long> WebhookDeliveries = CairnTelemetry.Meter.CreateCounter<long>("cairn_webhook_deliveries_total", description: "Webhook deliveries, by forge and result.");

    public static readonly Counter<long> LeaseExpirations = CairnTelemetry.Meter.CreateCounter<long>("cairn_lease_expirations_total", description: "Job leases that expired without a heartbeat and were reclaimed.");

    /// <summary>Jobs queued again after a failed attempt, by failure <c>class</c>.</summary>
    public static readonly Counter<long> Retries = CairnTelemetry.Meter.CreateCounter<long>("cairn_retries_total", description: "Jobs queued again after a failed attempt, by failure class.");

    public static readonly Counter<long> LogBytes = CairnTelemetry.Meter.CreateCounter<long>("cairn_log_bytes_total", "By", "Bytes of job log written.");

    public static readonly Counter<long> SecretReads = CairnTelemetry.Meter.CreateCounter<long>("cairn_secret_reads_total", description: "Secrets opened for a job.");

    /// <summary>Label names, so that callers and tests agree on them.</summary>
    public static class Labels
    {
        public const string Status = "status";
        public const string Executor = "executor";
        public const string Event = "event";
        public const string Forge = "forge";
        public const string Result = "result";
        public const string Class = "class";
        public const string State = "state";
        public const string Reason = "reason";
    }

    /// <summary>Every label name any Cairn metric may carry: a test holds the exposition to this list.</summary>
    public static readonly IReadOnlySet<string> AllowedLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        Labels.Status, Labels.Executor, Labels.Event, Labels.Forge, Labels.Result, Labels.Class, Labels.State, Labels.Reason,
    };
}
