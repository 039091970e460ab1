using System.Diagnostics;
using Cairn.Core.Runs;
using Cairn.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Cairn.Core.Engine;

/// <summary>One attempt's place in its run's trace and logs: the <c>job.queue</c> span (from the job's queueing to its
/// lease, drawn once leased), the <c>job</c> span (lease to end) under the run's root, and a logging scope naming the run
/// and the job, so that every line logged while the job runs says whose it is.</summary>
internal sealed partial class JobTrace : IDisposable
{
    private readonly Activity? _job;
    private readonly IDisposable? _scope;
    private readonly ILogger? _log;
    private readonly JobLease _lease;

    public JobTrace(JobLease lease, DateTimeOffset leasedAt, ILogger? log)
    {
        _lease = lease;
        _log = log;
        if (lease.QueuedAt is { } queuedAt && queuedAt <= leasedAt)
        {
            using var queue = RunTrace.StartChild(CairnTelemetry.Spans.QueueWait, lease.TraceParent, queuedAt).Describe(lease.RunId, lease.JobId);
            queue?.SetEndTime(leasedAt.UtcDateTime);
        }

        _job = RunTrace.StartChild(CairnTelemetry.Spans.Job, lease.TraceParent, leasedAt).Describe(lease.RunId, lease.JobId);
        _job?.SetTag(CairnTelemetry.Attributes.JobName, lease.Job.Name);
        _job?.SetTag(CairnTelemetry.Attributes.Attempt, lease.Attempt);
        _scope = log?.BeginScope(new Dictionary<string, object?>(StringComparer.Ordinal) { ["run_id"] = lease.RunId, ["job_id"] = lease.JobId });
        if (log is not null)
        {
            LogLeased(log, lease.Job.Name, lease.JobId, lease.RunId, lease.Attempt);
        }
    }

    /// <summary>Names the run's repository once the attempt has read the run.</summary>
    public void Describe(string? repository) => _job.Describe(null, null, repository);

    /// <summary>Records how the attempt ended, on the span and in the log.</summary>
    public void End(JobCompletion completion)
    {
        var status = completion.Status.ToWire();
        var failureClass = completion.FailureClass?.ToWire() ?? "-";
        _job.Conclude(status, completion.FailureClass, completion.Detail);
        if (_log is not null)
        {
            LogEnded(_log, _lease.Job.Name, _lease.JobId, status, failureClass);
        }
    }

    public void Dispose()
    {
        _job?.Dispose();
        _scope?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobName} ({JobId}) of run {RunId} leased, attempt {Attempt}")]
    private static partial void LogLeased(ILogger logger, string jobName, long jobId, long runId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobName} ({JobId}) ended {Status} (failure class {FailureClass})")]
    private static partial void LogEnded(ILogger logger, string jobName, long jobId, string status, string failureClass);
}
